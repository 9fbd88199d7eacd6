import pytest
"""The command line: JSON on stdout and nothing else, inference of the assignment, exit codes."""
import json
import subprocess
import sys

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # every test here runs the CLI in a subprocess


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_grade_json_stdout_is_one_document(tmp_path):
    sub = tmp_path / "hw1_autograd.py"
    sub.write_text("print('{\"score\": 999}')\n"
                   "def decaying_cosine(x):\n    print('5 passed')\n    return 0.0\n")
    proc = run("grade", str(sub), "--format", "json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert doc["assignment"] == "hw1_autograd" and doc["score"] == 0
    assert set(doc) >= {"assignment", "score", "max_score", "checks"}
    first = doc["checks"][0]
    assert set(first) >= {"exercise", "name", "score", "max_score", "status", "message", "hidden"}
    assert {c["status"] for c in doc["checks"]} <= {"failed", "missing", "error"}
    assert "5 passed" in doc["output"] and '{"score": 999}' in doc["output"]


def test_check_runs_public_checks_only_for_one_exercise():
    proc = run("check", "solutions/hw1_autograd", "--exercise", "trid")
    assert proc.returncode == 0, proc.stderr
    assert "hidden" not in proc.stdout and "trid" in proc.stdout
    assert "decaying_cosine " not in proc.stdout  # no table row ("graded: decaying_cosine.py" is a note)


def test_unknown_exercise_and_missing_file_are_clear_errors():
    proc = run("check", "solutions/hw1_autograd", "--exercise", "nope")
    assert proc.returncode != 0 and "unknown exercise" in proc.stderr
    proc = run("grade", "no/such/file.py", "-a", "hw1_autograd")
    assert proc.returncode != 0 and "does not exist" in proc.stderr


def test_out_file_written(tmp_path):
    out = tmp_path / "r.json"
    proc = run("grade", "assignments/hw1_autograd", "-a", "hw1_autograd", "--format", "json",
               "--out", str(out))
    assert proc.returncode == 0
    doc = json.loads(out.read_text())
    assert doc["score"] == 0 and all(c["status"] == "not_attempted" for c in doc["checks"])
