"""The Gradescope bundle: its contents, and run_autograder against a temporary /autograder:
with the development venv, and as the container runs it (a fresh venv from the bundle's
own requirement file, uid mode without bwrap, no GRADER_* variables)."""
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

from grader.authoring.gradescope import REQUIREMENTS, build_autograder_zip
from tests.e2e.fresh_venv import fresh_venv
from tests.e2e.test_uid_mode import public, run_public  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def bundle(course, tmp_path_factory):
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    build_autograder_zip(course, "hw1_autograd", out)
    return out


def test_bundle_holds_scripts_pins_and_no_solutions(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "course.yml", REQUIREMENTS,
                "grader/cli/main.py", "grader/child/main.py"} <= names
        assert not any(n.startswith(("solutions/", "tests/")) for n in names)
        assert "requirements.lock" not in names
        setup = zf.read("setup.sh").decode()
        run = zf.read("run_autograder").decode()
        mode = zf.getinfo("run_autograder").external_attr >> 16
    assert f'-r "$ROOT/source/{REQUIREMENTS}"' in setup
    assert "hw1_autograd" in run and "results.json" in run
    assert mode & 0o111


@pytest.mark.parametrize("assignment", ["hw1_autograd", "hw2_torch"])
def test_requirements_are_complete_and_minimal(course, root, tmp_path, assignment):
    """Every line an exact pin of requirements.lock; no Jupyter, nbgrader or Dask on any
    image; torch (the CPU build) only where the assignment preloads it."""
    out = tmp_path / "autograder.zip"
    build_autograder_zip(course, assignment, out)
    with zipfile.ZipFile(out) as zf:
        lines = zf.read(REQUIREMENTS).decode().splitlines()
    lock = set((root / "requirements.lock").read_text().split())
    pins = [l for l in lines if not l.startswith(("#", "--"))]
    names = {p.split("==")[0].lower() for p in pins}
    assert set(pins) <= lock and len(pins) < 60
    assert {"numpy", "pydantic", "pyyaml", "click", "ipython", "pyseccomp"} <= names
    assert not names & {"jupyterlab", "notebook", "nbgrader", "dask", "distributed",
                        "matplotlib", "pytest"}
    needs_torch = "torch" in course.assignment(assignment).preload
    assert ("torch" in names) == needs_torch
    assert ("--index-url https://download.pytorch.org/whl/cpu" in lines) == needs_torch
    if needs_torch:
        assert "torch==2.13.0" in pins


def run_autograder(bundle, tmp_path, files, python=sys.executable):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    env = dict(os.environ, GRADER_AUTOGRADER_ROOT=str(root), GRADER_PYTHON=python)
    env.pop("GRADER_COURSE", None)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def stub_files(root):
    folder = root / "assignments" / "hw1_autograd"
    return {p.name: p.read_text() for p in folder.glob("*.py")}


def test_run_autograder_grades_a_submission(bundle, tmp_path, root, course):
    files = stub_files(root)
    files["decaying_cosine.py"] = (root / "solutions" / "hw1_autograd" /
                                   "decaying_cosine.py").read_text()
    data = run_autograder(bundle, tmp_path, files)
    assert data["score"] == 5  # the decaying_cosine exercise, hidden check included
    assert len(data["tests"]) == len(course.checks_for("hw1_autograd"))
    hidden = [t for t in data["tests"] if t["visibility"] == "after_published"]
    assert hidden and all(t["name"].split(": ")[1].endswith("hidden") for t in hidden)


def test_run_autograder_writes_results_when_the_submission_crashes(bundle, tmp_path):
    data = run_autograder(bundle, tmp_path, {"trid.py": "import os\nos._exit(1)\n"})
    assert data["score"] == 0 and data["tests"]
    assert all(t["score"] == 0 for t in data["tests"])


def test_run_autograder_writes_results_when_the_grader_cannot_run(bundle, tmp_path):
    data = run_autograder(bundle, tmp_path, {"trid.py": "x = 1\n"},
                          python=shutil.which("false") or "/bin/false")
    assert data["score"] == 0 and "could not run" in data["output"]


TIMINGS = {}


@pytest.mark.slow
def test_the_container_route_fresh_venv_uid_mode_and_default_variables(bundle, public,
                                                                        run_public, root,
                                                                        course):
    """The bundle's requirement file (what setup.sh installs) in a fresh venv at ROOT/venv,
    run_autograder run as `bash ROOT/source/run_autograder` by root without bwrap and
    without GRADER_AUTOGRADER_ROOT / GRADER_PYTHON: the reference gets every point, the
    stubs none of the same maximum."""
    with zipfile.ZipFile(bundle) as zf:
        started = time.perf_counter()
        venv = fresh_venv(zf.read(REQUIREMENTS).decode())
        TIMINGS["fresh venv from the bundle's requirements"] = time.perf_counter() - started
    total = sum(c.points for c in course.checks_for("hw1_autograd"))
    solutions = {p.name: p.read_text() for p in (root / "solutions" / "hw1_autograd").glob("*.py")
                 if not p.name.startswith("_")}
    for name, files, expected in (("reference", solutions, total),
                                  ("stubs", stub_files(root), 0)):
        ag = public / f"fresh-{name}" / "autograder"
        (ag / "source").mkdir(parents=True)
        with zipfile.ZipFile(bundle) as zf:
            zf.extractall(ag / "source")
        (ag / "submission").mkdir()
        for fname, text in files.items():
            (ag / "submission" / fname).write_text(text)
        os.symlink(venv, ag / "venv")   # where setup.sh puts it
        for folder in (ag.parent, ag):
            os.chmod(folder, 0o755)
        if name == "reference":
            started = time.perf_counter()
            run_setup_sh(ag, public)
            TIMINGS["setup.sh over the fresh venv"] = time.perf_counter() - started
        started = time.perf_counter()
        done = run_public(["bash", ag / "source" / "run_autograder"])  # no GRADER_* in env
        TIMINGS[f"run_autograder, {name}"] = time.perf_counter() - started
        assert done.returncode == 0, done.stderr[-2000:]
        data = json.loads((ag / "results" / "results.json").read_text())
        log = (ag / "results" / "grader.log").read_text()
        assert data["tests"], (data.get("output"), log[-2000:])
        assert sum(t["max_score"] for t in data["tests"]) == total
        assert data["score"] == expected, (data.get("output", "")[-1500:], log[-1500:])
        assert "unprivileged uid" in data.get("output", ""), data.get("output")
    print("\n" + "\n".join(f"{k:<45} {v:6.1f} s" for k, v in TIMINGS.items()))


def run_setup_sh(ag, public):
    """setup.sh as written, found ROOT from its own place, where apt-get fails (no bwrap,
    no python3.12 package) and python3 is this machine's base Python 3.11: it (re)makes
    ROOT/venv (here the cached fresh venv, so its pip finds everything installed) and
    checks that the assignment's imports work there."""
    shims = public / "setup-shims"
    if not shims.exists():
        shims.mkdir()
        (shims / "apt-get").write_text("#!/bin/sh\nexit 100\n")
        (shims / "apt-get").chmod(0o755)
        os.symlink(getattr(sys, "_base_executable", sys.executable), shims / "python3")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GRADER_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = str(shims)
    done = subprocess.run([shutil.which("bash"), str(ag / "source" / "setup.sh")], env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
