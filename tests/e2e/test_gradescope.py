"""The Gradescope bundle: its contents, and run_autograder against a temporary /autograder."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from grader.authoring.gradescope import build_autograder_zip


@pytest.fixture(scope="module")
def bundle(course, tmp_path_factory):
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    build_autograder_zip(course, "hw1_autograd", out)
    return out


def test_bundle_holds_scripts_pins_and_no_solutions(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "course.yml", "requirements.lock",
                "grader/cli/main.py", "grader/child/main.py"} <= names
        assert not any(n.startswith(("solutions/", "tests/")) for n in names)
        lock = zf.read("requirements.lock").decode()
        setup = zf.read("setup.sh").decode()
        run = zf.read("run_autograder").decode()
        mode = zf.getinfo("run_autograder").external_attr >> 16
    assert "torch==2.13.0" in lock
    assert "download.pytorch.org/whl/cpu" in setup and "requirements.lock" in setup
    assert "hw1_autograd" in run and "results.json" in run
    assert mode & 0o111


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
