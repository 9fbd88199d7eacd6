"""Broken submissions fail only the checks they touch, with clear messages; nothing crashes."""
import textwrap
from dataclasses import replace

import pytest
import yaml

from grader.config import load_course
from grader.judge.grade import grade
from grader.submission.load import Submission, load_py_file, split_source
from grader.submission.locate import load_submission

from tests.conftest import ROOT

REFERENCE = ROOT / "solutions" / "hw1_autograd"


@pytest.fixture(scope="module")
def fast_course(tmp_path_factory):
    """The real course with short time limits and the slow fit checks dropped."""
    data = yaml.safe_load((ROOT / "course.yml").read_text())
    for ex in data["assignments"]["hw1_autograd"]["exercises"].values():
        ex["time_limit_s"] = 4
        ex["checks"] = [c for c in ex["checks"] if "fit" not in c["name"]]
    path = tmp_path_factory.mktemp("course") / "course.yml"
    path.write_text(yaml.safe_dump(data))
    return load_course(path)


def reference_plus(tmp_path, name, code):
    """The reference folder with code run after it in the grading namespace (not as a
    module of its own, so that it can redefine or delete the reference's names)."""
    sub = load_submission(REFERENCE, order=["decaying_cosine", "trid", "linreg_bias", "nn_fit"])
    extra = tmp_path / name
    extra.write_text(textwrap.dedent(code))
    sub.chunks += [replace(c, module="") for c in load_py_file(extra).chunks]
    sub.notes += load_py_file(extra).notes
    return sub


def by_name(report):
    return {(c.exercise, c.name): c for c in report.checks}


def test_syntax_error_in_one_function_keeps_the_others(tmp_path, fast_course):
    text = (REFERENCE / "trid.py").read_text().replace(
        "def trid_grad(x_D):", "def trid_grad(x_D) oops:")
    (tmp_path / "trid.py").write_text(text)
    sub = load_py_file(tmp_path / "trid.py")
    assert len(sub.chunks) > 1 and "SyntaxError" in sub.notes[0]
    rep = grade(sub, fast_course, "hw1_autograd", exercises=["trid"])
    checks = by_name(rep)
    assert checks[("trid", "values")].status == "passed"
    assert checks[("trid", "gradient")].status == "missing"
    assert "trid_grad" in checks[("trid", "gradient")].message


def test_split_source_keeps_line_numbers():
    chunks = split_source("x = 1\n\ndef f(:\n    pass\n\ny = 2\n", "s.py")
    assert [c.first_line for c in chunks] == [1, 3, 6]


@pytest.mark.slow
@pytest.mark.parametrize("code, exercise, check, status, needle", [
    ("def decaying_cosine(x):\n    return float('nan')\n", "decaying_cosine", "values",
     "error", "NaN"),
    ("def trid_grad(x_D):\n    return x_D[:1]\n", "trid", "gradient", "error", "shape"),
    ("def trid(x_D):\n    return 1 / 0\n", "trid", "values", "error", "ZeroDivisionError"),
    ("def trid(x_D):\n    return object()\n", "trid", "values", "error", "object"),
    ("def trid_grad(x_D):\n    while True:\n        pass\n", "trid", "gradient", "timeout",
     "time limit"),
    ("import sys\ndef trid(x_D):\n    sys.exit(0)\n", "trid", "values", "error", "SystemExit"),
    ("import os\ndef trid(x_D):\n    os._exit(0)\n", "trid", "values", "error", "exit"),
    ("del decaying_cosine_grad\n", "decaying_cosine", "gradient", "missing", "not defined"),
])
def test_fault_costs_only_its_checks(tmp_path, fast_course, code, exercise, check, status, needle):
    rep = grade(reference_plus(tmp_path, "zz_broken.py", code), fast_course, "hw1_autograd",
                exercises=[exercise])
    checks = by_name(rep)
    assert checks[(exercise, check)].status == status
    assert needle in checks[(exercise, check)].message
    untouched = [c for c in rep.checks if c.name.startswith("gd_iterates") or
                 (exercise == "decaying_cosine" and c.name == "values")]
    assert all(c.status == "passed" for c in untouched if (c.exercise, c.name) != (exercise, check))


def test_exit_at_import_fails_everything_with_a_message(tmp_path, fast_course):
    rep = grade(reference_plus(tmp_path, "zz_exit.py", "import os\nos._exit(0)\n"),
                fast_course, "hw1_autograd", exercises=["decaying_cosine"])
    assert rep.score == 0 and all(c.status == "error" for c in rep.checks)
    assert "before any check" in rep.checks[0].message


def test_empty_submission_is_all_missing(tmp_path, fast_course):
    (tmp_path / "empty.py").write_text("")
    rep = grade(load_py_file(tmp_path / "empty.py"), fast_course, "hw1_autograd")
    assert rep.score == 0 and {c.status for c in rep.checks} == {"missing"}


def test_printing_is_captured_not_mixed_into_results(tmp_path, fast_course):
    code = "print('10 passed, 0 failed')\nimport sys\nprint('noise', file=sys.stderr)\n"
    rep = grade(reference_plus(tmp_path, "zz_print.py", code), fast_course, "hw1_autograd",
                exercises=["decaying_cosine"])
    assert rep.score == rep.max_score
    assert "10 passed" in rep.output and "noise" in rep.output


def test_empty_chunk_list_grades_to_zero(fast_course):
    rep = grade(Submission(origin="nothing"), fast_course, "hw1_autograd",
                exercises=["decaying_cosine"])
    assert rep.score == 0 and len(rep.checks) == 4
