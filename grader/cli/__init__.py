"""The `grader` command line: parse, call the packages below, print. Nothing imports it.

main.py holds the group and the single-submission commands; bulk.py, release.py
and nbgrader.py add theirs to the same group when imported here.
"""
import os

# Before pydantic is imported: the course file's models use no pydantic plugin, and looking
# for plugins reads every installed package's entry points (~50 ms of CPU, 0.2 s of wall
# under load) at every command's start. A user's own setting wins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from grader.cli.main import cli, main  # noqa: E402
# imported for their side effect: their commands register on the group
from grader.cli import bulk, nbgrader, release, results, similarity  # noqa: E402,F401

__all__ = ["cli", "main"]
