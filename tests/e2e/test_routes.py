"""One rule for what is graded, through every route (issue 10): the release bundle with a
completed notebook beside the untouched stub .py files, graded by `check`, `grade`,
`grade-all`, a zip and Gradescope's run_autograder; a zipped notebook; a notebook alone.

`check` runs in the bundle with its own course.yml (every exercise's public checks). The
instructor's routes grade with the instructor's course.yml cut to two exercises, public and
hidden checks (`lean`): what these tests are about is which files each route grades, and a
full grading through each of six routes cost ~4 CPU-s more apiece (trid's and the
network's minimisations) for no assertion of their own; those checks are graded end to end
by the examples, the notebooks and the selftest."""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from grader.authoring.gradescope import build_autograder_zip
from grader.authoring.notebooks import build_notebook, notebook_text
from grader.authoring.release import build_release
from grader.config import load_course
from tests.conftest import ROOT, course_variant
from tests.e2e.test_gradescope import run_autograder

A = "hw1_autograd"
pytestmark = pytest.mark.slow
SCORES = {}  # route -> (score, max): printed at the end for the closing note
LEAN_EXERCISES = ["decaying_cosine", "linreg_bias"]


@pytest.fixture(scope="module")
def lean(tmp_path_factory):
    """The instructor's course.yml with LEAN_EXERCISES alone (and the lock file Gradescope's
    bundle pins from): (its path, full marks with the hidden checks)."""
    path = course_variant(tmp_path_factory.mktemp("lean"), exercises=LEAN_EXERCISES)
    shutil.copy(ROOT / "requirements.lock", path.parent / "requirements.lock")
    return path, sum(c.points for c in load_course(path).checks_for(A))


@pytest.fixture(scope="module")
def bundle(course, root, tmp_path_factory):
    """The release bundle, its notebook completed (the reference variant), stubs untouched."""
    out = build_release(course, A, tmp_path_factory.mktemp("rel") / "bundle")
    book = out / "assignments" / A / f"{A}.ipynb"
    book.write_text(notebook_text(build_notebook(root, course, A, "reference")), encoding="utf-8")
    return out


def cli(args, cwd):
    """`python -m grader ARGS` in `cwd`, with the grader found there (the bundle's copy, or
    the instructor's checkout)."""
    run_env = dict(os.environ, PYTHONPATH=str(cwd))
    run_env.pop("GRADER_COURSE", None)
    done = subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=run_env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_check_in_the_bundle_grades_the_notebook(bundle):
    out = cli(["check", f"assignments/{A}", "--assignment", A], bundle)
    SCORES["check (public, bundle's course.yml)"] = out.splitlines()[0]
    assert out.startswith(f"{A}: 24 / 24 points"), out
    assert f"graded: {A}.ipynb" in out


def test_grade_the_repository_with_the_instructors_course(bundle, root, lean):
    """A Classroom repository is the bundle: assignments/<a>/ is found inside it."""
    course_yml, full = lean
    rep = json.loads(cli(["--course", str(course_yml), "grade", str(bundle), "-a", A,
                          "--format", "json"], root))
    SCORES["grade (Classroom repository)"] = f"{rep['score']:g} / {rep['max_score']:g}"
    assert rep["score"] == rep["max_score"] == full
    # by its name: grade's JSON is what a CI log (the student's) shows, so no absolute path
    assert rep["files"] == [f"{A}.ipynb"] and rep["course_file"] == "course.yml"


def test_grade_with_the_release_copy_warns(bundle):
    out = cli(["grade", f"assignments/{A}", "-a", A], bundle)
    assert "release copy of course.yml" in out and "NOT the official grade" in out


def test_grade_a_zip_of_the_folder_and_a_zipped_notebook(bundle, root, lean, tmp_path):
    folder = bundle / "assignments" / A
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as zf:
        for p in folder.iterdir():
            zf.write(p, f"{A}/{p.name}")
    alone = tmp_path / "alone.zip"
    with zipfile.ZipFile(alone, "w") as zf:
        zf.write(folder / f"{A}.ipynb", f"{A}.ipynb")
    for name, path in (("zip of the folder", whole), ("zipped notebook", alone)):
        rep = json.loads(cli(["--course", str(lean[0]), "grade", str(path), "-a", A,
                              "--format", "json"], root))
        SCORES[f"grade ({name})"] = f"{rep['score']:g} / {rep['max_score']:g}"
        assert rep["score"] == lean[1] and rep["files"] == [f"{A}.ipynb"], name


def test_grade_all_one_row_per_student(bundle, root, lean, tmp_path):
    klass = tmp_path / "class"
    shutil.copytree(bundle / "assignments" / A, klass / "ann" / A)       # notebook + stubs
    (klass / "bob").mkdir()
    shutil.copy(bundle / "assignments" / A / f"{A}.ipynb", klass / "bob")  # a notebook alone
    book = tmp_path / "gradebook.csv"
    cli(["--course", str(lean[0]), "grade-all", str(klass), "-a", A,
         "--out", str(book), "-j", "2"], root)
    rows = {r["student_id"]: r for r in csv.DictReader(book.open())}
    SCORES["grade-all"] = {s: r["score"] for s, r in rows.items()}
    assert set(rows) == {"ann", "bob"}
    assert all(float(r["score"]) == lean[1] for r in rows.values())


def test_gradescope_run_autograder(bundle, lean, tmp_path):
    zipped = tmp_path / "autograder.zip"
    build_autograder_zip(load_course(lean[0]), A, zipped)
    folder = bundle / "assignments" / A
    files = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file()}
    data = run_autograder(zipped, tmp_path, files)
    SCORES["Gradescope run_autograder"] = data["score"]
    assert data["score"] == lean[1], data["output"]
    assert f"graded: {A}.ipynb" in data["output"]


def test_check_a_zipped_notebook_and_gradescope_a_notebook_alone(bundle, lean, tmp_path):
    book = bundle / "assignments" / A / f"{A}.ipynb"
    alone = tmp_path / "alone.zip"
    with zipfile.ZipFile(alone, "w") as zf:
        zf.write(book, f"{A}.ipynb")
    out = cli(["check", str(alone), "--assignment", A, "-e", "trid"], bundle)
    assert f"graded: {A}.ipynb" in out and "7/7" in out, out
    zipped = tmp_path / "autograder.zip"
    build_autograder_zip(load_course(lean[0]), A, zipped)
    data = run_autograder(zipped, tmp_path, {book.name: book.read_text(encoding="utf-8")})
    SCORES["Gradescope run_autograder (notebook alone)"] = data["score"]
    assert data["score"] == lean[1], data["output"]


def teardown_module():
    print("\nscores by route:", json.dumps(SCORES, indent=1))
