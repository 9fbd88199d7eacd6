"""Ctrl-C in `grader grade-all`, for real: a subprocess, SIGINT to its process group as a
terminal sends it, a class whose second submission would hang for minutes.

The run must stop within seconds (running submissions killed, queued ones never started),
keep what it finished (in the cache), print one line and no traceback, exit 130, and a
re-run must grade only the rest.
"""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.bulk import store

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.exclusive]   # Ctrl-C must stop it within seconds

HANG = "import time\ntime.sleep(600)  # top-level code that never finishes loading\n"


def descendants(pid):
    """Pids of every live process below `pid` (from /proc's parent links)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid):
    """True while `pid` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def grade_all(folder, out):
    return [sys.executable, "-m", "grader", "grade-all", str(folder), "-a", "hw1_autograd",
            "-j", "1", "--out", str(out)]


def env():
    return dict(os.environ, PYTHONPATH=str(ROOT))


def test_ctrl_c_stops_grade_all_keeps_the_finished_and_a_rerun_grades_the_rest(tmp_path):
    stub = ROOT / "assignments" / "hw1_autograd"
    klass = tmp_path / "class"
    shutil.copytree(stub, klass / "amy", ignore=shutil.ignore_patterns("*.ipynb"))
    for name in ("ben", "cat", "dan"):  # graded after amy, one at a time (-j 1)
        (klass / name).mkdir(parents=True)
        (klass / name / "trid.py").write_text(HANG)
    out = tmp_path / "grades" / "hw1.csv"  # a folder that does not exist yet
    proc = subprocess.Popen(grade_all(klass, out), cwd=ROOT, env=env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    lines, first_done = [], threading.Event()

    def read():
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("graded 1/4"):
                first_done.set()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert first_done.wait(120), "".join(lines)
        time.sleep(1.0)  # ben's hanging load is under way
        running = descendants(proc.pid)
        assert running, "ben is being graded by processes of grade-all"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        sent = time.monotonic()
        proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    reader.join(10)
    err = "".join(lines)
    assert took < 10, f"grade-all took {took:.1f} s to stop:\n{err}"
    assert proc.returncode == 130, err
    assert "Traceback" not in err + proc.stdout.read()
    assert "interrupted: 1 of 4 submissions graded" in err and "again" in err
    deadline = time.monotonic() + 5
    while any(alive(p) for p in running) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in running), "a child or fork server outlived grade-all"

    db = store.open_db(out.with_suffix(".sqlite"))
    assert db.students("hw1_autograd") == ["amy"]    # the finished one is kept
    db.close()
    assert not out.exists()                          # no gradebook that looks complete

    for name in ("ben", "cat", "dan"):  # they hand in something that finishes
        (klass / name / "trid.py").unlink()
        shutil.copytree(stub, klass / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.ipynb"))
    rerun = subprocess.run(grade_all(klass, out), cwd=ROOT, env=env(), text=True,
                           capture_output=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "4 submissions (1 unchanged since the last run, 0 could not be graded)" in rerun.stderr
    assert len(out.read_text().splitlines()) == 5  # header + 4 students
