"""`grader release <assignment> --out DIR`: what students get, and nothing else.

    DIR/assignments/<a>/      the stubs (and notebook) from `grader build`
    DIR/course.yml            course info, limits, and <a> with its PUBLIC checks only,
                              marked `release: public` (grader grade warns when it is used)
    DIR/grader/               the grader package, with only <a>'s check kinds
    DIR/pyproject.toml        DIR as an installable project whose only package is its grader
    DIR/requirements.txt      the pinned closure of what check() needs (from requirements.lock),
                              then `-e .`: DIR's own grader, so `import grader` and the `grader`
                              command work in any folder (a notebook's kernel starts in its own)
    DIR/README.txt            how to install, run the self-check, and what to hand in

Hidden checks are public kinds on other inputs, so dropping them from
course.yml removes their names, inputs, seeds and data; reference code
never leaves solutions/ (stubs are built from it with every solution region
replaced). `tests/e2e/test_release.py` scans the bundle for both;
`tests/e2e/test_student_route.py` installs a bundle in a fresh venv and uses it as
README.txt says.
"""
import json
import shutil
import sys
from pathlib import Path

import yaml

from grader.authoring.pins import closure_requirements, key, lock_file, lock_pins
from grader.config import ConfigError
from grader import PACKAGE_DIR, __version__


# Instructor-only: selftest runs solutions/ and tests/ (nothing secret in it, but no use to
# students); rules.py maps docstring rules to checks, hidden ones included.
INSTRUCTOR_MODULES = ("authoring/selftest.py", "authoring/rules.py")

README = """\
{title}

INSTALL once (Python 3.11 or newer; Linux, macOS or Windows; no administrator rights).
In a terminal, in THIS folder (the one with README.txt), with the Python that runs your
notebooks (activate its virtual or conda environment first, if it has one):

    python -m pip install -r requirements.txt

This installs the pinned packages the self-check needs and this folder's grader: the
`grader` command and the notebook's `check(...)` then work in any folder. Running it again
is harmless (and needed if you move this folder). No Jupyter yet? Install it the same way:
python -m pip install jupyterlab

WORK in assignments/{a}/: EITHER the notebook {a}.ipynb OR the .py files.
Fill in every `raise NotImplementedError()` (keep the names and signatures).

CHECK: in the notebook, the cell after each exercise runs `check("...")` on your functions.
In a terminal (Linux or macOS; on Windows in WSL), from this folder (`python -m grader`
works wherever `grader` does):

    grader check assignments/{a}
    grader check assignments/{a} --exercise {first}
    python -m grader check assignments/{a}/{a}.ipynb

HOW A NOTEBOOK IS GRADED: the saved notebook runs from the top in a fresh process. A cell
that raises an error is skipped and grading goes on with the next cell (Jupyter's Run All
stops there instead): what that cell would have defined is missing, and the report names
the cell. Magics (%...) and ! lines do nothing. Cells tagged `demo` only contribute their
def/class/import statements: put everything your functions need in the exercise cells. A
.py file exported from the notebook (`jupyter nbconvert --to script`, or Jupyter's "Save and
Export Notebook As > Executable Script") is graded as the notebook is.

HAND IN: you hand in the folder assignments/{a}/ (or a .zip of it), or just the file(s)
you worked in. What is graded: the notebook and the .py files are both candidates; the one with the
most functions you attempted (no longer `raise NotImplementedError()`) is graded, and the
report says which file(s) it graded. Hand in ONE version of your work: a second one is
not graded.

The official grading runs more checks than these, on inputs you have not seen:
passing the public checks is necessary, not sufficient.
"""

# What check() and `grader check` import (import name -> distribution), pinned from
# requirements.lock with everything they need; the assignment's preloads (numpy, autograd,
# torch) are added.
BASE_PACKAGES = ["pyyaml", "pydantic", "pydantic-core", "annotated-types", "typing-extensions",
                 "typing-inspection", "click", "numpy", "ipython", "matplotlib"]
DISTRIBUTIONS = {"yaml": "pyyaml", "sklearn": "scikit-learn"}

# The bundle as a project: `-e .` in requirements.txt installs it (setuptools' editable
# install, PEP 660: pip fetches setuptools into an isolated build, no compiler needed).
PYPROJECT = """\
# Written by `grader release`: this folder as an installable project, whose only package is
# ./grader (editable: these files are the ones used). Install with requirements.txt, whose
# pins this project's unpinned dependencies below take.
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "gd-autograder"
version = "{version}"
description = {description}
requires-python = ">=3.11"
dependencies = {dependencies}

[project.scripts]
grader = "grader.cli.main:main"

[tool.setuptools.packages.find]
include = ["grader*"]
"""


def public_course_yml(raw, assignment):
    """course.yml reduced to the course, limits and one assignment's public checks."""
    spec = dict(raw["assignments"][assignment])
    exercises = {}
    for name, ex in spec.get("exercises", {}).items():
        checks = [c for c in ex.get("checks", []) if not c.get("hidden", False)]
        if checks:
            exercises[name] = dict(ex, checks=checks)
    spec["exercises"] = exercises
    out = {k: raw[k] for k in ("course", "limits") if k in raw}
    out["release"] = "public"
    out["assignments"] = {assignment: spec}
    return out


def build_release(course, assignment, out):
    """Write the student bundle of `assignment` into `out` (which must not exist or be empty)."""
    root, out = course.root, Path(out)
    course.assignment(assignment)
    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"{out}: exists and is not empty; pick a new folder")
    stubs = root / "assignments" / assignment
    if not stubs.is_dir():
        raise ConfigError(f"{stubs}: no stubs; run `grader build` first")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(stubs, out / "assignments" / assignment,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    raw = yaml.safe_load(course.path.read_text(encoding="utf-8"))
    header = (f"# {raw['course'].get('title', '')}: {assignment}, public checks only.\n"
              "# Generated by `grader release`; the official grading adds hidden checks.\n")
    (out / "course.yml").write_text(
        header + yaml.safe_dump(public_course_yml(raw, assignment), sort_keys=False),
        encoding="utf-8")
    copy_grader(PACKAGE_DIR, out / "grader", assignment)
    write_install_files(course, assignment, out)
    return out


def wanted_packages(course, assignment):
    """Distribution names the self-check of `assignment` imports directly."""
    top = [m.split(".")[0] for m in course.assignment(assignment).preload]
    return list(dict.fromkeys(BASE_PACKAGES + [DISTRIBUTIONS.get(m, m) for m in top]))


def write_install_files(course, assignment, out):
    """pyproject.toml, requirements.txt and README.txt of the bundle in `out`."""
    spec = course.assignment(assignment)
    (out / "pyproject.toml").write_text(PYPROJECT.format(
        version=__version__, description=json.dumps(f"{spec.title}: the self-check"),
        dependencies=json.dumps(sorted(wanted_packages(course, assignment)))), encoding="utf-8")
    (out / "requirements.txt").write_text(
        requirements(course, assignment, lock_file(course.root)), encoding="utf-8")
    (out / "README.txt").write_text(
        README.format(title=spec.title, a=assignment, first=next(iter(spec.exercises))),
        encoding="utf-8")


def requirements(course, assignment, lock):
    """requirements.txt: exact pins from `lock` for what the self-check imports and
    everything that needs, platform-only ones with their marker, then the bundle itself."""
    text = Path(lock).read_text(encoding="utf-8")
    wanted = wanted_packages(course, assignment)
    missing = [w for w in wanted if key(w) not in lock_pins(text)]
    if missing:
        raise ConfigError(f"{lock}: no pin for {', '.join(missing)}")
    lines, unpinned = closure_requirements(text, wanted)
    extra = ["--extra-index-url https://download.pytorch.org/whl/cpu"] if "torch" in wanted else []
    # Honest about where the closure comes from: the metadata installed where this runs.
    here = f"{sys.platform}, Python {sys.version_info.major}.{sys.version_info.minor}"
    return ("# What the self-check needs, written by `grader release`: pins from the course's\n"
            f"# requirements.lock, dependencies as installed where it ran ({here}).\n"
            "# Install, from this folder:  python -m pip install -r requirements.txt\n"
            "# Every package pip installs is pinned below (a `; marker` limits one to the\n"
            "# platforms that need it)" + "".join(
                f",\n# except {u.replace(' ; ', ', where ')} (the lock has no version)"
                for u in unpinned) + ".\n"
            + "\n".join(extra + lines) + "\n"
            "# This folder's own grader (pyproject.toml): `import grader`, the `grader` command.\n"
            "-e .\n")


def copy_grader(src, dst, assignment):
    """The grader package from `src` into `dst`, with only `assignment`'s check kinds and
    without the instructor-only modules."""
    def ignore(folder, names):
        skip = {n for n in names if n == "__pycache__" or n.endswith(".pyc")}
        rel = Path(folder).relative_to(src)
        skip |= {n for n in names if (rel / n).as_posix() in INSTRUCTOR_MODULES}
        if Path(folder) == src / "checks":
            skip |= {n for n in names if (src / "checks" / n).is_dir() and n != assignment}
        return skip
    shutil.copytree(src, dst, ignore=ignore)
