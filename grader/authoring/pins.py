"""Exact pins from requirements.lock, for the requirement files the bundles ship:
`closure_pins` is the one rule for "these packages and everything they need".

`grader release` (what a student's check() needs) and `grader classroom` (what
grading in a workflow needs) both read the same lock through here.
"""
import re
from importlib import metadata
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


def closure_pins(lock_text, names):
    """The lock's `name==version` lines for `names` and everything they need (from the
    installed distributions' metadata, extras left out), sorted; names the lock does not
    pin (e.g. an import name that is no distribution, like `yaml`) are left out."""
    pins = lock_pins(lock_text)
    seen, todo = set(), [key(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen or name not in pins:
            continue
        seen.add(name)
        todo += [key(r) for r in _requires(name)]
    return sorted(pins[n] for n in seen)


def _requires(name):
    """Names of the distributions `name` depends on in this environment, without extras."""
    try:
        reqs = metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return []
    out = []
    for req in reqs:
        spec, _, marker = req.partition(";")
        if "extra" in marker or not _marker_holds(marker):
            continue
        out.append(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec).group(1))
    return out


def _marker_holds(marker):
    if not marker.strip():
        return True
    try:
        from packaging.markers import Marker
    except ImportError:  # without packaging, keep the requirement: a pin too many is harmless
        return True
    return Marker(marker).evaluate()
