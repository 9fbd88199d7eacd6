"""Broken submissions fail only the checks they touch, with clear messages; nothing crashes."""
import textwrap
from dataclasses import replace

import pytest

from grader.config import load_course
from grader.judge.grade import grade
from grader.submission.load import Submission, load_py_file, split_source
from grader.submission.locate import load_submission

from tests.conftest import ROOT, course_variant

REFERENCE = ROOT / "solutions" / "hw1_autograd"


@pytest.fixture(scope="module")
def fast_course(tmp_path_factory):
    """The real course with short time limits and the slow checks dropped: the fits and
    trid's minimisations (seconds of CPU each; no test here asserts on them, and a fault
    in trid_grad would wait out their limits too). 1 CPU-s per check: the reference's
    remaining checks need a few ms; a fault that spins costs 1 s, not 4."""
    def drop_slow(raw):
        for ex in raw["assignments"]["hw1_autograd"]["exercises"].values():
            ex["checks"] = [c for c in ex["checks"]
                            if "fit" not in c["name"] and "minimize" not in c["name"]]
    return load_course(course_variant(tmp_path_factory.mktemp("course"), time_limit_s=1,
                                      edit=drop_slow))


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


def _one_second_course(folder, wall_extra_s):
    """decaying_cosine only: 1 s of CPU per check, a 1 + wall_extra_s s backstop."""
    return load_course(course_variant(
        folder, exercises=["decaying_cosine"], time_limit_s=1,
        edit=lambda raw: raw["limits"].update(wall_factor=1, wall_extra_s=wall_extra_s)))


@pytest.fixture(scope="module")
def tight_course(tmp_path_factory):
    """1 s of CPU per check, a 3 s wall-clock backstop (for checks that sleep)."""
    return _one_second_course(tmp_path_factory.mktemp("tight"), 2)


@pytest.fixture(scope="module")
def cpu_course(tmp_path_factory):
    """1 s of CPU per check, a 30 s backstop: on a busy machine too, CPU binds first."""
    return _one_second_course(tmp_path_factory.mktemp("cpu"), 29)


# What the tests of the 1-second courses assert on: the public values and gradient checks
# (the others call the same sleeping or spinning function again, each waiting out its limit).
VALUES_AND_GRADIENT = {("decaying_cosine", "values"), ("decaying_cosine", "gradient")}


def _sessions(course, kind):
    """A session factory of fresh children, or of forks of a fork server."""
    if kind == "child":
        return None, None
    from grader.execution.forkserver import ZygotePool
    pool = ZygotePool(course)
    return pool.session_factory("hw1_autograd"), pool


SPIN_IN_SUBPROCESSES = """
import subprocess, sys, time
def decaying_cosine_grad(x):
    spin = "while True: pass"
    procs = [subprocess.Popen([sys.executable, "-c", spin], start_new_session=True)
             for _ in range(2)]
    time.sleep(60)
"""


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["child", "zygote"])
def test_cpu_of_every_process_counts_against_the_limit(tmp_path, cpu_course, kind):
    """The probed function sleeps while two detached processes it started spin:
    the CPU limit (1 s) binds long before the wall-clock backstop (30 s)."""
    factory, pool = _sessions(cpu_course, kind)
    try:
        rep = grade(reference_plus(tmp_path, "zz_spin.py", SPIN_IN_SUBPROCESSES), cpu_course,
                    "hw1_autograd", session_factory=factory, only=VALUES_AND_GRADIENT)
    finally:
        if pool:
            pool.close()
    checks = by_name(rep)
    grad = checks[("decaying_cosine", "gradient")]
    assert grad.status == "timeout", (grad.status, grad.message)
    assert "s of CPU; the limit is 1 s" in grad.message and grad.duration < 29
    assert checks[("decaying_cosine", "values")].status == "passed"


@pytest.mark.slow
@pytest.mark.exclusive   # a 3 s wall-clock backstop: a busy machine would starve the check
def test_sleeping_past_the_backstop_is_the_submissions_timeout(tmp_path, tight_course):
    code = "import time\ndef decaying_cosine_grad(x):\n    time.sleep(60)\n"
    rep = grade(reference_plus(tmp_path, "zz_sleep.py", code), tight_course, "hw1_autograd",
                only=VALUES_AND_GRADIENT)
    grad = by_name(rep)[("decaying_cosine", "gradient")]
    assert grad.status == "timeout" and "wall-clock" in grad.message, grad.message


@pytest.mark.slow
@pytest.mark.exclusive   # a 3 s wall-clock backstop, timed
def test_a_starved_check_is_retried_then_reported_not_graded(tmp_path, tight_course,
                                                              monkeypatch):
    """Every backstop overrun counted as the machine's fault (STARVED_SHARE = 0): the check
    is tried twice, then recorded as infrastructure, and the report says NOT GRADED."""
    from grader.execution import cputime
    monkeypatch.setattr(cputime, "STARVED_SHARE", 0.0)
    code = "import time\ndef decaying_cosine_grad(x):\n    time.sleep(60)\n"
    rep = grade(reference_plus(tmp_path, "zz_sleep.py", code), tight_course, "hw1_autograd",
                only=VALUES_AND_GRADIENT)
    grad = by_name(rep)[("decaying_cosine", "gradient")]
    assert grad.status == "infrastructure" and "not graded" in grad.message
    assert grad.duration >= 2 * 3 - 0.5          # two attempts of the 3 s backstop
    assert rep.notes[0].startswith("NOT GRADED") and "decaying_cosine.gradient" in rep.notes[0]
    assert by_name(rep)[("decaying_cosine", "values")].status == "passed"
