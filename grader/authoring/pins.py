"""Exact pins from requirements.lock, for the requirement files the bundles ship.

`grader release` (what a student's check() needs) and `grader classroom` (what
grading in a workflow needs) both read the same lock through here.
"""
import re
from pathlib import Path

from grader import PACKAGE_DIR

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)


def key(name):
    """A distribution name as pip compares them: case, '-', '_' and '.' folded."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def lock_file(root):
    """The course's requirements.lock, else the one beside the grader package."""
    lock = Path(root) / "requirements.lock"
    return lock if lock.is_file() else PACKAGE_DIR.parent / "requirements.lock"


def lock_pins(lock_text):
    """{key(name): 'name==version'} of every pin in a lock file's text."""
    return {key(m.group(1)): m.group(0) for m in _PIN.finditer(lock_text)}
