"""grade-all's results database end to end: history, a kill -9 mid-run, a course.yml edit.

`grader grade-all` and `grader history` run as users run them, in a subprocess, for the
first grading of the 3-student class (shared by the tests that start from it, each on a
copy: the cache is keyed by content, not by where the files lie), the kill -9 and the run
after it, and one history; the other runs are in-process calls of the same commands
(click's runner: the database sees the same calls).
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from grader.bulk import store
from grader.cli import cli

from tests.conftest import course_variant

pytestmark = pytest.mark.slow
A = "hw1_autograd"


def fast_course(folder, rtol=None):
    """course.yml with only decaying_cosine; `rtol`: the public gradient check's tolerance."""
    def edit(raw):
        for c in raw["assignments"][A]["exercises"]["decaying_cosine"]["checks"]:
            if c["name"] == "gradient" and rtol is not None:
                c["params"] = dict(c.get("params", {}), rtol=rtol)
    return course_variant(folder, exercises=["decaying_cosine"], time_limit_s=5, edit=edit)


def reference(root):
    return (root / "solutions" / A / "decaying_cosine.py").read_text()


SLIGHTLY_OFF = """
import autograd
import autograd.numpy as ag_np

def decaying_cosine(x):
    return ag_np.exp(-x / 10.0) * ag_np.cos(x)

def decaying_cosine_grad(x):
    return autograd.grad(decaying_cosine)(x) * (1 + 1e-6)
"""


def make_class(folder, root, n=3):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ann.py").write_text(reference(root))
    (folder / "bob.py").write_text(SLIGHTLY_OFF)
    for i in range(n - 2):
        (folder / f"s{i:02d}.py").write_text(reference(root) + f"\n# student {i}\n")
    for p in folder.iterdir():   # the same timestamp column in every run
        os.utime(p, (1_700_000_000, 1_700_000_000))
    return folder


def grade_all(course, folder, out, *extra, wait=True):
    cmd = [sys.executable, "-m", "grader", "--course", str(course), "grade-all", str(folder),
           "-a", A, "-j", "1", "--out", str(out), *extra]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return run


def in_process(*args):
    """`grader ARGS` in this process (click's runner): (stdout, stderr)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], obj={})
    assert result.exit_code == 0 and result.exception is None, (result.output, result.exception)
    return result.stdout, result.stderr


def history(db, student, subprocess_run=False):
    """`grader history STUDENT --format json`, in-process unless `subprocess_run`."""
    args = ["history", student, "-a", A, "--db", str(db), "--format", "json"]
    if subprocess_run:
        run = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)
    return json.loads(in_process(*args)[0])


@pytest.fixture(scope="module")
def graded_once(tmp_path_factory, root):
    """course.yml, the 3-student class and its first grade-all (out/grades.csv, .sqlite)."""
    folder = tmp_path_factory.mktemp("graded-once")
    course = fast_course(folder)
    grade_all(course, make_class(folder / "class", root), folder / "out" / "grades.csv")
    return folder


def start_from(graded_once, tmp_path):
    """A copy of the first run in tmp_path: (course, class folder, gradebook)."""
    shutil.copytree(graded_once, tmp_path, dirs_exist_ok=True)
    out = tmp_path / "out" / "grades.csv"
    assert out.with_suffix(".sqlite").is_file()
    return tmp_path / "course.yml", tmp_path / "class", out


def test_a_changed_submission_is_graded_again_and_its_history_has_both(tmp_path, root,
                                                                       graded_once):
    course, folder, out = start_from(graded_once, tmp_path)
    (folder / "bob.py").write_text(reference(root))
    _out, second = in_process("--course", course, "grade-all", folder, "-a", A, "-j", "1",
                              "--out", out)
    assert "2 unchanged since the last run" in second
    db = out.with_suffix(".sqlite")
    bob = history(db, "bob", subprocess_run=True)
    assert [g["score"] < g["max_score"] for g in bob] == [True, False]
    assert bob[0]["digest"] != bob[1]["digest"]
    assert {c["name"] for c in bob[1]["checks"]} >= {"values", "gradient"}
    assert len(history(db, "ann")) == 1 and len(history(db, "s00")) == 1
    assert store.integrity_ok(db)


def test_kill_9_mid_run_keeps_a_sound_database_and_the_rerun_equals_a_clean_run(tmp_path,
                                                                                root):
    course = fast_course(tmp_path)
    folder = make_class(tmp_path / "class", root, n=6)
    out = tmp_path / "killed" / "grades.csv"
    db = out.with_suffix(".sqlite")
    proc = grade_all(course, folder, out, wait=False)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:   # kill once at least one grading is committed
        try:
            with sqlite3.connect(db, timeout=1) as conn:
                if conn.execute("SELECT COUNT(*) FROM gradings").fetchone()[0] >= 2:
                    break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert store.integrity_ok(db)
    with sqlite3.connect(db) as conn:
        kept = conn.execute("SELECT COUNT(*) FROM gradings").fetchone()[0]
    assert 2 <= kept < 6, kept
    rerun = grade_all(course, folder, out)
    assert f"{kept} unchanged since the last run" in rerun.stderr
    clean = tmp_path / "clean" / "grades.csv"
    in_process("--course", course, "grade-all", folder, "-a", A, "-j", "1", "--out", clean)
    assert out.read_text().splitlines() == clean.read_text().splitlines()


def test_a_tolerance_edit_regrades_only_that_check(tmp_path, root, graded_once):
    course, folder, out = start_from(graded_once, tmp_path)
    db = store.open_db(out.with_suffix(".sqlite"))
    first = {r["student"]: db.report(r["id"])[0] for r in db.latest(A)}
    db.close()
    fast_course(tmp_path, rtol=1e-3)    # the public gradient check, nothing else
    _out, rerun = in_process("--course", course, "grade-all", folder, "-a", A, "-j", "1",
                             "--out", out)
    assert "regraded only those checks in 3 submissions; 1 scores moved" in rerun
    assert "decaying_cosine.gradient:" in rerun or "decaying_cosine.gradient " in rerun
    db = store.open_db(out.with_suffix(".sqlite"))
    second = {r["student"]: db.report(r["id"])[0] for r in db.latest(A)}
    db.close()
    for student, rep in second.items():
        old = {c.name: c for c in first[student].checks}
        for c in rep.checks:
            if c.name != "gradient":   # kept from the first run, not graded again
                assert (c.score, c.duration, c.message) == (old[c.name].score,
                                                            old[c.name].duration,
                                                            old[c.name].message)
    assert second["bob"].score > first["bob"].score
    assert len(history(out.with_suffix(".sqlite"), "ann")) == 2
