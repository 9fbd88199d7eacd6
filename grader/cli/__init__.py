"""The `grader` command line: parse, call the packages below, print. Nothing imports it.

main.py holds the group and the single-submission commands; bulk.py, release.py
and nbgrader.py add theirs to the same group when imported here.
"""
from grader.cli.main import cli, main
from grader.cli import bulk, nbgrader, release, results, similarity  # noqa: F401 - they register

__all__ = ["cli", "main"]
