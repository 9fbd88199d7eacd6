"""Progress where work is long: on stderr only (stdout stays machine-readable), a bar on a
terminal, plain lines elsewhere: `grader grade` per check, `grader selftest` per case."""
import io
import json
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest

from grader.bulk.gradeall import Progress
from tests.conftest import ROOT, course_variant


def test_plain_lines_name_the_item_and_notes_stand_alone():
    stream = io.StringIO()
    progress = Progress(3, stream=stream, tty=False, verb="checked", unit="checks", every=0,
                        describe=lambda r: f"{r.name}: {r.status}")
    progress.note("FAIL something")
    for name in "abc":
        progress(SimpleNamespace(name=name, status="passed"))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "FAIL something"
    assert [line.split("  ")[0:2] for line in lines[1:]] == [
        ["checked 1/3 (33%)", "a: passed"], ["checked 2/3 (67%)", "b: passed"],
        ["checked 3/3 (100%)", "c: passed"]]
    assert all("checks/s" in line and "ETA" in line for line in lines[1:])


def test_a_terminal_gets_a_bar():
    stream = io.StringIO()
    progress = Progress(2, stream=stream, tty=True, verb="selftest", unit="cases",
                        describe=lambda o: o)
    progress("first")
    progress.note("FAIL a case")
    progress("second")
    progress.close()
    text = stream.getvalue()
    assert "2/2" in text and "FAIL a case" in text and "\r" in text  # redrawn in place


def run(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=600, **kwargs)


@pytest.mark.slow
def test_grade_shows_each_check_on_stderr_and_keeps_json_on_stdout():
    proc = run("grade", "assignments/hw1_autograd", "-a", "hw1_autograd", "--format", "json")
    doc = json.loads(proc.stdout)  # nothing but the report on stdout
    n = len(doc["checks"])
    lines = [line for line in proc.stderr.splitlines() if line.startswith("checked ")]
    assert len(lines) == n and lines[-1].startswith(f"checked {n}/{n} (100%)")
    assert "trid.gd_iterates: not_attempted" in proc.stderr
    hidden = {c["name"] for c in doc["checks"] if c["hidden"]}
    assert hidden and not any(name in proc.stderr for name in hidden)  # CI logs: unnamed


@pytest.mark.slow
def test_selftest_counts_cases_on_stderr_and_reports_a_failure_at_once(tmp_path):
    """A small course (one exercise, one mutant, one 'alternative' that is wrong)."""
    course_variant(tmp_path, exercises=["decaying_cosine"], alone=True)
    for folder in ("solutions", "assignments"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    mutant = ROOT / "tests" / "mutants" / "hw1_autograd" / "dc_exponent_sign.py"
    for role in ("mutants", "alternatives"):
        (tmp_path / "tests" / role / "hw1_autograd").mkdir(parents=True)
        shutil.copy(mutant, tmp_path / "tests" / role / "hw1_autograd" / "wrong.py")
    proc = run("--course", str(tmp_path / "course.yml"), "selftest", "-a", "hw1_autograd")
    assert "Traceback" not in proc.stderr and proc.returncode == 1  # the wrong alternative
    lines = proc.stderr.splitlines()
    counts = [line.split("  ")[0] for line in lines if line.startswith("selftest ")]
    assert counts == ["selftest 1/4 (25%)", "selftest 2/4 (50%)", "selftest 3/4 (75%)",
                      "selftest 4/4 (100%)"]
    fail = next(i for i, line in enumerate(lines) if line.startswith("FAIL"))
    assert "alternative" in lines[fail] and fail < len(lines) - 1  # before the run ended
    assert "selftest: 3 of 4 cases as expected" in proc.stdout
    assert "selftest 1/4" not in proc.stdout
