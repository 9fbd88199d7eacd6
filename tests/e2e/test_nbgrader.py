"""Real nbgrader, end to end: the scores it exports equal `grader grade`'s.

    grader nbgrader init -> nbgrader generate_assignment -> submitted/<student>/ ->
    nbgrader autograde -> generate_feedback -> export

Select alone with `pytest -m nbgrader`; it also runs in the default `pytest`.
"""
import csv
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.judge.grade import grade
from grader.authoring.nbgrader_course import config_text, execute_timeout, init_course
from grader.submission.locate import load_submission

from tests.conftest import ROOT
from tests.e2e.nbgrader_samples import hw1_samples

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

ASSIGNMENT = "hw1_autograd"
BIN = Path(sys.executable).parent
TIMINGS = {}
LOGS = {}   # nbgrader step -> what it printed (stdout + stderr)


def _run(args, cwd):
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # nbgrader runs `alembic` by name
    # The kernel must import THIS checkout's grader, not whichever one the venv's editable
    # install points at (a course.yml of this checkout may need its check kinds).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("MPLBACKEND", None)  # let the kernel pick its inline backend, as in Jupyter
    proc = subprocess.run([str(BIN / args[0])] + args[1:], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory, course, fork_servers):
    """An nbgrader course with four autograded submissions, feedback and an export."""
    base = tmp_path_factory.mktemp("nbgrader")
    init_course(base, course, [ASSIGNMENT])
    _run(["nbgrader", "generate_assignment", ASSIGNMENT], base)
    name = f"{ASSIGNMENT}.ipynb"
    release = nbformat.read(base / "release" / ASSIGNMENT / name, as_version=4)
    source = nbformat.read(base / "source" / ASSIGNMENT / name, as_version=4)
    samples = hw1_samples(release, source)
    for student, nb in samples.items():
        folder = base / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / name)
        (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC\n")
    # Our grading of the same notebooks overlaps nbgrader's (it mostly waits on its kernel).
    pool = ThreadPoolExecutor(max_workers=1)
    ours = pool.submit(_grade_all, base, sorted(samples), course, fork_servers(ASSIGNMENT))
    for step in (["autograde", ASSIGNMENT], ["generate_feedback", ASSIGNMENT], ["export"]):
        started = time.perf_counter()
        proc = _run(["nbgrader"] + step, base)
        TIMINGS[f"nbgrader {step[0]}"] = time.perf_counter() - started
        LOGS[step[0]] = proc.stdout + proc.stderr
    reports = ours.result()
    pool.shutdown()
    print("\n" + "\n".join(f"{k:<28} {v:6.1f} s" for k, v in TIMINGS.items()))
    return base, reports


def _grade_all(base, students, course, factory):
    started = time.perf_counter()
    reports = {s: grade(load_submission(base / "submitted" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
                        course, ASSIGNMENT, session_factory=factory) for s in students}
    TIMINGS[f"grader grade ({len(students)} notebooks)"] = time.perf_counter() - started
    return reports


def _exported(base):
    with open(base / "grades.csv", newline="") as fh:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)
                if row["assignment"] == ASSIGNMENT}


@pytest.mark.nbgrader
def test_exported_scores_equal_grader_grade(graded_course, course):
    base, reports = graded_course
    students = sorted(reports)
    exported = _exported(base)
    ours = {s: r.score for s, r in reports.items()}
    table = "\n".join(f"{s:<10} nbgrader {exported.get(s)!s:>6}  grader {ours[s]:>6}" for s in students)
    print("\n" + table)
    assert set(exported) == set(students), table
    for s in students:
        assert exported[s] == pytest.approx(ours[s], abs=1e-6), table
    total = sum(c.points for c in course.checks_for(ASSIGNMENT))
    assert ours["reference"] == pytest.approx(total)
    assert ours["untouched"] == 0
    assert 0 < ours["partial"] < total and 0 < ours["raises"] < total


@pytest.mark.nbgrader
def test_per_check_scores_equal(graded_course, course):
    """Cell by cell: each test cell's nbgrader score is that check's grader score."""
    from nbgrader.api import Gradebook
    base, reports = graded_course
    with Gradebook(f"sqlite:///{base / 'gradebook.db'}") as gb:
        for student, report in reports.items():
            for c in report.checks:
                gid = f"test-{c.exercise}-{c.name}".replace("_", "-")
                got = gb.find_grade(gid, ASSIGNMENT, ASSIGNMENT, student).score
                assert got == pytest.approx(c.score, abs=1e-6), (student, gid, c.status, c.message)


@pytest.mark.nbgrader
def test_test_cells_never_write_stderr_and_feedback_exists(graded_course):
    base, reports = graded_course
    for student in reports:
        nb = nbformat.read(base / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                           as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                bad = [o for o in cell.outputs if o.output_type == "error"
                       or (o.output_type == "stream" and o.name == "stderr")]
                assert not bad, (student, meta["grade_id"], bad)
        assert (base / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()


@pytest.mark.nbgrader
def test_autograde_is_quiet_about_hidden_tests_and_sqlalchemy(graded_course, course):
    """Hidden tests restored at autograde without nbgrader's false checksum warning
    (jupyter/nbgrader#1961; authoring/nbgrader_hidden.py), and no SQLAlchemy warnings;
    the scores are the tests above."""
    base, reports = graded_course
    log = LOGS["autograde"]
    assert any(c.hidden for c in course.checks_for(ASSIGNMENT))
    assert "Attribute 'checksum'" not in log and "has changed" not in log, log[-3000:]
    assert "SAWarning" not in log and "not in session" not in log, log[-3000:]
    assert log.count("Autograding ") >= len(reports)   # it did grade every student


def test_restore_hidden_tests_warns_only_about_an_edited_cell(course, caplog):
    """RestoreHiddenTests on one hidden test cell: the released form comes back whole and
    silently (nbgrader's OverwriteCells warns about it); an edited one is still reported,
    and both end as the gradebook's source."""
    from types import SimpleNamespace
    from nbformat.v4 import new_code_cell
    from nbgrader.preprocessors import OverwriteCells
    from nbgrader.utils import compute_checksum
    from grader.authoring.nbgrader_hidden import RestoreHiddenTests
    from grader.authoring.notebooks import test_cell_source
    check = next(c for c in course.checks_for(ASSIGNMENT) if c.hidden)
    meta = {"grade": True, "grade_id": "test-x-hidden", "locked": True, "solution": False,
            "points": check.points, "schema_version": 3, "task": False}
    full = test_cell_source(ASSIGNMENT, check.exercise, check)
    released = "\n".join(l for l in full.split("\n") if "HIDDEN TESTS" not in l
                         and "grade_check(" not in l)
    stored = SimpleNamespace(cell_type="code", locked=True, source=full,
                             checksum=compute_checksum(new_code_cell(full, metadata={"nbgrader": meta})))
    book = SimpleNamespace(find_source_cell=lambda *a: stored,
                           find_graded_cell=lambda *a: SimpleNamespace(max_score=check.points))

    def overwrite(kind, source):
        pp = kind()
        pp.gradebook, pp.notebook_id, pp.assignment_id = book, "nb", ASSIGNMENT
        pp.log.propagate = True
        cell = new_code_cell(source, metadata={"nbgrader": dict(meta)})
        caplog.clear()
        with caplog.at_level("WARNING"):
            pp.preprocess_cell(cell, {}, 0)
        return cell.source, "checksum' for cell test-x-hidden has changed" in caplog.text

    assert overwrite(OverwriteCells, released) == (full, True)     # nbgrader's false alarm
    assert overwrite(RestoreHiddenTests, released) == (full, False)
    assert overwrite(RestoreHiddenTests, released + "\nprint(1)") == (full, True)


@pytest.mark.parametrize("assignment", ["hw1_autograd", "hw2_torch"])
def test_source_has_one_test_cell_per_check(tmp_path, course, assignment):
    """No nbgrader run needed: the source notebook's structure and the config."""
    if assignment not in course.spec.assignments:
        pytest.skip(f"{assignment} is not in course.yml")
    init_course(tmp_path, course, [assignment])
    nb = nbformat.read(tmp_path / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    tests = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    checks = course.checks_for(assignment)
    assert len(tests) == len(checks)
    for check in checks:
        cell = tests[f"test-{check.exercise}-{check.name}".replace("_", "-")]
        assert cell.metadata["nbgrader"]["points"] == check.points
        assert ("### BEGIN HIDDEN TESTS" in cell.source) == check.hidden
    text = (tmp_path / "nbgrader_config.py").read_text()
    assert course.spec.course.id in text
    assert f"c.Execute.timeout = {execute_timeout(course)[3]}" in text
    assert text == config_text(course)
    with pytest.raises(FileExistsError):
        init_course(tmp_path, course, [assignment])
    shutil.rmtree(tmp_path / "source")
