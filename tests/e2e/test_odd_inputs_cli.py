"""Odd inputs through the doors users run (issue 18, class 5): `grader grade` and
`grader grade-all` in a subprocess, as from a shell. No traceback, a recorded result.
The generated inputs (hypothesis) and the odd zips go through the same command in-process
(click's runner: every layer but the interpreter's start, which the subprocess runs here
cover)."""
import csv
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.cli import cli

from tests.conftest import ROOT, course_variant
from tests.unit.submission.test_odd_inputs import (MEMBER, NOTEBOOK, ODD_NOTEBOOKS, ODD_ZIPS,
                                                   write_zip)

pytestmark = pytest.mark.slow   # subprocesses, and grade-all runs one child

REFUSED_NOTEBOOKS = ("JSON nested deeply", "a huge integer")


def odd_inputs(folder):
    """{student: path} of inputs that crashed `grader grade` before (all refused now)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for i, what in enumerate(sorted(ODD_ZIPS)):
        made[f"zip{i}"] = write_zip(folder / f"zip{i}.zip", ODD_ZIPS[what])
    for i, what in enumerate(REFUSED_NOTEBOOKS):
        made[f"nb{i}"] = folder / f"nb{i}.ipynb"
        made[f"nb{i}"].write_text(ODD_NOTEBOOKS[what])
    return made


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def in_process(*args):
    """`grader ARGS` in this process (click's runner): (exit code, stdout, stderr), with
    any exception that escaped the command in the stderr text."""
    result = CliRunner().invoke(cli, list(args), obj={})
    err = result.stderr + ("" if result.exception is None or isinstance(
        result.exception, SystemExit) else f"Traceback: {result.exception!r}")
    return result.exit_code, result.stdout, err


def test_grade_records_a_zero_with_the_reason(tmp_path):
    """The notebooks through a subprocess (a deep JSON and a huge integer meet the
    interpreter's own limits), the zips in-process (refused before any child runs)."""
    for student, path in odd_inputs(tmp_path / "in").items():
        args = ("grade", str(path), "-a", "hw1_autograd", "--format", "json")
        if student.startswith("nb"):
            proc = run(*args)
            rc, out, err = proc.returncode, proc.stdout, proc.stderr
        else:
            rc, out, err = in_process("--course", str(ROOT / "course.yml"), *args)
        assert "Traceback" not in err + out, (student, err)
        assert rc == 0, (student, err)
        doc = json.loads(out)
        assert doc["score"] == 0 and doc["checks"], student
        assert any(path.name in n for n in doc["notes"] + [c["message"] for c in doc["checks"]]), (
            student, doc["notes"])


def fast_course(folder):
    """course.yml with decaying_cosine only, in `folder` (the CLI finds it from its cwd)."""
    course_variant(folder, exercises=["decaying_cosine"])
    return folder


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(NOTEBOOK.map(lambda nb: ("hw.ipynb", json.dumps(nb).encode())),
                 st.lists(MEMBER, min_size=1, max_size=4).map(lambda m: ("hw.zip", m))))
def test_grade_of_generated_odd_inputs_is_a_recorded_result(tmp_path_factory, generated):
    where = fast_course(tmp_path_factory.mktemp("gen"))
    name, data = generated
    path = where / name
    if name.endswith(".zip"):
        try:
            write_zip(path, data)
        except (ValueError, OSError, IndexError):   # zipfile refuses the name itself
            return
    else:
        path.write_bytes(data)
    result = CliRunner().invoke(cli, ["--course", str(where / "course.yml"), "grade", str(path),
                                      "-a", "hw1_autograd", "--format", "json"], obj={})
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.exit_code == 0 and result.exception is None, (result.stderr,
                                                                result.exception)
    doc = json.loads(result.stdout)
    assert doc["checks"] and doc["max_score"] > 0


def test_grade_all_gives_odd_inputs_zero_rows_and_goes_on(tmp_path):
    fast_course(tmp_path)
    klass = tmp_path / "class"
    odd = odd_inputs(klass)
    (klass / "ann.py").write_text(
        (ROOT / "solutions" / "hw1_autograd" / "decaying_cosine.py").read_text())
    proc = run("grade-all", str(klass), "-a", "hw1_autograd", "--out", "g.csv", "-j", "1",
               "--feedback", "fb", cwd=tmp_path)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert proc.returncode == 0, proc.stderr
    rows = {r["student_id"]: r for r in csv.DictReader(open(tmp_path / "g.csv"))}
    assert set(rows) == set(odd) | {"ann"}
    assert float(rows["ann"]["raw_score"]) == float(rows["ann"]["max_score"]) > 0
    for student in odd:
        assert float(rows[student]["raw_score"]) == 0, student
        page = (tmp_path / "fb" / f"{student}.md").read_text()
        assert "could not be read" in page, (student, page[:400])
