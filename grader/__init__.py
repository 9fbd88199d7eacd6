"""Autograder for a course on gradient descent, autograd and SGD.

The packages follow a submission's way through the grader (docs/DEVELOPING.md):

    submission/  what was handed in -> ordered code chunks (file, cell, statement group)
    execution/   where student code runs: sessions, the sandbox, the fork server
    child/       the only code that runs inside the jail, beside the student's
    checks/      check kinds (probe in the child, verify in the parent) and their toolkit
    judge/       grade one submission: plan cases, probe, verify -> Report
    reports/     text, JSON, Gradescope, JUnit, Classroom, gradebook, feedback pages
    bulk/        grade a whole class: workers, cache, progress; shards on a Dask cluster
    authoring/   stubs, notebooks, release bundle, nbgrader course, Gradescope zip, selftest
    cli/         the `grader` command (parse, call, print); notebook.py: check() in Jupyter
"""
from pathlib import Path

__version__ = "0.2.0"
PACKAGE_DIR = Path(__file__).resolve().parent
