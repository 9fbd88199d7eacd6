"""Exact pins from requirements.lock, for the requirement files the bundles ship:
`closure_pins` is the one rule for "these packages and everything they need".

`grader release` (what a student's check() needs), `grader classroom` and
`grader gradescope` (what grading needs: `grading_requirements`) all read the
same lock through here.
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
    """The lock's `name==version` lines for `names` and everything they need HERE (from
    the installed distributions' metadata, extras left out), sorted; names the lock does
    not pin (e.g. an import name that is no distribution, like `yaml`) are left out."""
    pins = lock_pins(lock_text)
    return sorted(pins[n] for n, when in closure(names).items()
                  if n in pins and _marker_holds(when))


def closure_requirements(lock_text, names):
    """(lines, unpinned) for a requirements file installed on ANY platform: the lock's
    `name==version` of `names` and everything they need, with `; marker` where a package is
    needed only on some platforms or Pythons (`pexpect==4.9.0 ; sys_platform != "win32"`),
    sorted; `unpinned`: ['colorama ; sys_platform == "win32"', ...], the packages needed
    elsewhere that the lock (resolved on one platform) has no version for."""
    pins, lines, unpinned = lock_pins(lock_text), [], []
    for name, when in sorted(closure(names).items()):
        line = pins.get(name, name)
        (lines if name in pins else unpinned).append(f"{line} ; {when}" if when else line)
    return sorted(lines, key=str.lower), unpinned


def closure(names):
    """{key(name): marker} of `names` and every distribution they need on any platform,
    as the installed distributions' metadata says (extras left out): marker '' when
    always needed, else when (`sys_platform == "win32"`, several paths joined by `or`).
    Distributions not installed here contribute no requirements of their own."""
    paths = {}  # name -> set of frozensets of markers: each a path's conjunction
    todo = [(key(n), frozenset()) for n in names]
    while todo:
        name, path = todo.pop()
        held = paths.setdefault(name, set())
        if path in held or frozenset() in held:
            continue
        held.add(path)
        todo += [(key(dep), path | ({marker} if marker else set()))
                 for dep, marker in _requires(name)]
    return {name: _marker_text(held) for name, held in paths.items()}


def _marker_text(paths):
    """One marker for a set of paths (each a frozenset of markers, all of which hold)."""
    if frozenset() in paths:
        return ""
    def conj(path):
        parts = sorted(path)
        return parts[0] if len(parts) == 1 else " and ".join(f"({m})" for m in parts)
    alts = sorted({conj(p) for p in paths})
    return alts[0] if len(alts) == 1 else " or ".join(f"({a})" for a in alts)


def _requires(name):
    """[(dependency name, its marker or '')] of the installed distribution `name`, on every
    platform; requirements that only an extra asks for are left out."""
    try:
        reqs = metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return []
    out = []
    for req in reqs:
        spec, _, marker = req.partition(";")
        if "extra" in marker:
            continue
        out.append((_name(spec), marker.strip()))
    return out


def _marker_holds(marker):
    if not marker.strip():
        return True
    try:
        from packaging.markers import Marker
    except ImportError:  # without packaging, keep the requirement: a pin too many is harmless
        return True
    return Marker(marker).evaluate()


# torch from PyPI is the CUDA build (gigabytes of nvidia packages); the CPU wheel index
# first, PyPI for everything else. Written into a requirement file only when torch is in it.
TORCH_CPU_INDEX = ("--index-url https://download.pytorch.org/whl/cpu",
                   "--extra-index-url https://pypi.org/simple")


def grader_distributions():
    """Names of the grader's own run-time dependencies (pyproject.toml's [project]
    dependencies beside the package, else the installed gd-autograder's metadata),
    extras and version ranges left out: what `grader grade` needs on any route
    (IPython for notebooks, pyseccomp for the sandbox's filter, ...)."""
    pyproject = PACKAGE_DIR.parent / "pyproject.toml"
    if pyproject.is_file():
        import tomllib
        reqs = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    else:
        try:
            reqs = metadata.requires("gd-autograder") or []
        except metadata.PackageNotFoundError:
            reqs = []
    return [_name(r) for r in reqs if "extra" not in r.partition(";")[2]]


def grading_requirements(lock_text, preload, made_by):
    """The text of a grading route's requirement file (Classroom's and Gradescope's
    requirements-grading.txt): `closure_pins` of the grader's dependencies and the
    assignment's `preload` modules (course.yml; `torch._dynamo` counts as torch), with
    the CPU wheel index first when torch is among them. Complete (every transitive
    dependency pinned) and minimal (no Jupyter, nbgrader, Dask, or torch for hw1)."""
    wanted = [*grader_distributions(), *{m.split(".")[0] for m in preload}]
    pins = closure_pins(lock_text, wanted)
    index = TORCH_CPU_INDEX if any(p.lower().startswith("torch==") for p in pins) else ()
    return (f"# Generated by `{made_by}` from requirements.lock: what grading needs.\n"
            + "".join(f"{line}\n" for line in (*index, *pins)))


def _name(requirement):
    """'numpy>=1.26 ; python_version>"3"' -> 'numpy'."""
    return re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)
