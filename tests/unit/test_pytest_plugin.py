"""The pytest door (grader/pytest_plugin.py), run in-process with pytester on a tiny course:
one item per check, the course's messages, points, selection, JUnit, exit codes, inertness."""
import xml.etree.ElementTree as ET

import pytest
import yaml

import grader.pytest_plugin  # noqa: F401
from grader.config import load_course
from tests.conftest import ROOT

# Imported here once, with every check kind: pytester's in-process runs drop the modules
# they import, and numpy cannot be imported twice in one process.
load_course(ROOT / "course.yml")

TRID = (ROOT / "solutions" / "hw1_autograd" / "trid.py").read_text(encoding="utf-8")
STUB = (ROOT / "assignments" / "hw1_autograd" / "trid.py").read_text(encoding="utf-8")
# minimize_trid right in 2 dimensions only: 2 of the minimize check's 3 starts. Elsewhere
# it stops after three gradient steps (gradient descent, so the runtime evidence holds).
HALF_MINIMIZE = """
_right = minimize_trid
def minimize_trid(init_x_D):
    if len(init_x_D) == 2:
        return _right(init_x_D)
    x_D = init_x_D
    for _ in range(3):
        x_D = x_D - 0.01 * trid_grad(x_D)
    return x_D
"""
PLUGIN = ("-p", "grader.pytest_plugin", "-W", "ignore::pytest.PytestAssertRewriteWarning")


@pytest.fixture
def course_yml(tmp_path_factory):
    """hw1_autograd cut down to three trid checks (4 points): a hidden one, values, minimize."""
    data = yaml.safe_load((ROOT / "course.yml").read_text(encoding="utf-8"))
    hw1 = data["assignments"]["hw1_autograd"]
    hw1["exercises"] = {"trid": {"title": "Trid", "time_limit_s": 10, "checks": [
        {"name": "values_hidden", "kind": "values", "points": 1, "hidden": True,
         "params": {"dims": [4], "seed": 5}},
        {"name": "values", "points": 1},
        {"name": "minimize", "points": 2, "params": {"dims": [2, 3], "starts_per_dim": 1}}]}}
    data["assignments"] = {"hw1_autograd": hw1}
    path = tmp_path_factory.mktemp("course") / "course.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def grade(pytester, course_yml, code, *args):
    """Run `pytest --submission <folder with trid.py = code>` in-process."""
    folder = pytester.path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "trid.py").write_text(code, encoding="utf-8")
    return pytester.runpytest_inprocess(*PLUGIN, f"--submission={folder}", "--assignment",
                                        "hw1_autograd", "--course", str(course_yml), *args)


@pytest.mark.slow
def test_reference_passes_every_check_and_reports_the_score(pytester, course_yml):
    res = grade(pytester, course_yml, TRID, "-v")
    res.assert_outcomes(passed=3)
    res.stdout.fnmatch_lines(["*hw1_autograd/trid::values PASSED*",     # public first
                              "*hw1_autograd/trid::values_hidden PASSED*",
                              "hw1_autograd: 4 / 4 points"])
    assert res.ret == 0


@pytest.mark.slow
def test_stub_scores_zero_with_the_course_message_not_a_traceback(pytester, course_yml):
    res = grade(pytester, course_yml, STUB)
    res.assert_outcomes(failed=3)
    out = res.stdout.str()
    assert "not attempted: 0 / 2 points" in out and "hw1_autograd: 0 / 4 points" in out
    assert "Traceback" not in out and "grader/" not in out and res.ret == 1


@pytest.mark.slow
def test_partial_credit_fails_and_states_its_score_in_junit(pytester, course_yml):
    xml = pytester.path / "junit.xml"
    res = grade(pytester, course_yml, TRID + HALF_MINIMIZE, f"--junitxml={xml}")
    res.assert_outcomes(passed=2, failed=1)
    res.stdout.fnmatch_lines(["*failed: 1.33333 / 2 points (partial credit)*",
                              "hw1_autograd: 3.33333 / 4 points"])
    cases = {c.get("name"): c for c in ET.parse(xml).iter("testcase")}
    props = {n: {p.get("name"): p.get("value") for p in c.iter("property")}
             for n, c in cases.items()}
    assert props == {"values": {"score": "1", "points": "1"},
                     "minimize": {"score": "1.33333", "points": "2"},
                     "values_hidden": {"score": "1", "points": "1"}}
    failure = cases["minimize"].find("failure")
    assert failure.get("message").startswith("failed: 1.33333 / 2 points (partial credit). ")
    assert "minimize_trid" in failure.text  # the course's message says which function


@pytest.mark.slow
def test_selection_last_failed_and_stop_at_first_failure(pytester, course_yml):
    grade(pytester, course_yml, TRID + HALF_MINIMIZE).assert_outcomes(passed=2, failed=1)
    again = grade(pytester, course_yml, TRID + HALF_MINIMIZE, "--lf")
    again.assert_outcomes(failed=1, deselected=2)
    again.stdout.fnmatch_lines(["hw1_autograd: 1.33333 / 2 points (1 of 3 checks ran)"])
    picked = grade(pytester, course_yml, STUB, "-k", "not hidden", "-x")
    picked.assert_outcomes(failed=1, deselected=1)  # -x: minimize never ran
    picked.stdout.fnmatch_lines(["hw1_autograd: 0 / 1 points (1 of 3 checks ran)"])
    public = grade(pytester, course_yml, TRID, "--public-only", "-q")
    public.assert_outcomes(passed=2)


@pytest.mark.slow
def test_hidden_check_messages_follow_the_policy(pytester, course_yml):
    wrong = TRID + "\ndef trid(x_D):\n    return 0.0\n"
    res = grade(pytester, course_yml, wrong, "-m", "hidden")
    res.assert_outcomes(failed=1, deselected=2)
    assert "(hidden check: details are not shown)" in res.stdout.str()
    shown = grade(pytester, course_yml, wrong, "-m", "hidden", "--hidden-feedback", "message")
    assert "(hidden check" not in shown.stdout.str() and "expected" in shown.stdout.str()


@pytest.mark.slow
def test_a_fault_costs_only_its_check_and_the_child_restarts(pytester, course_yml):
    crash = TRID + ("\nimport os\n_trid = trid\ndef trid(x_D):\n"
                    "    if len(x_D) == 4:\n        os._exit(3)\n    return _trid(x_D)\n")
    res = grade(pytester, course_yml, crash, "--hidden-feedback", "message", "-v")
    res.assert_outcomes(passed=2, failed=1)  # the hidden child's crash costs only its check
    res.stdout.fnmatch_lines(["*trid::values PASSED*", "*trid::values_hidden FAILED*",
                              "*error: 0 / 1 points*", "*exited with code 3*"])


def test_usage_errors_exit_4_and_nothing_selected_exits_5(pytester, course_yml):
    res = pytester.runpytest_inprocess(*PLUGIN, f"--submission={pytester.path}",
                                       "--assignment", "nope", "--course", str(course_yml))
    assert res.ret == pytest.ExitCode.USAGE_ERROR and "no assignment 'nope'" in res.stderr.str()
    split = pytester.runpytest_inprocess(*PLUGIN, "--submission", str(pytester.path),
                                         "--assignment", "hw1_autograd", "--course",
                                         str(course_yml))
    assert split.ret == pytest.ExitCode.USAGE_ERROR
    assert "write --submission=PATH" in split.stderr.str()
    assert grade(pytester, course_yml, TRID, "-k", "zzz").ret == pytest.ExitCode.NO_TESTS_COLLECTED


@pytest.mark.slow
def test_unreadable_submission_is_a_recorded_zero(pytester, course_yml):
    res = pytester.runpytest_inprocess(*PLUGIN, f"--submission={pytester.path / 'none'}",
                                       "--assignment", "hw1_autograd", "--course",
                                       str(course_yml))
    res.assert_outcomes(failed=3)
    res.stdout.fnmatch_lines(["*not graded: *no such file or folder*",
                              "hw1_autograd: 0 / 4 points"])


def test_with_submission_no_test_file_or_conftest_is_loaded(pytester, course_yml):
    pytester.makepyfile(test_student="def test_mine():\n    assert True\n")
    pytester.makeconftest("raise SystemExit('a conftest ran in the grading process')")
    res = grade(pytester, course_yml, TRID, "--collect-only", "-q")
    assert res.ret == 0 and "test_student" not in res.stdout.str()
    # Public checks first (course.yml lists values_hidden first): no child that saw a
    # hidden input serves a public check (judge/grade.py).
    res.stdout.fnmatch_lines(["hw1_autograd/trid::values", "hw1_autograd/trid::minimize",
                              "hw1_autograd/trid::values_hidden", "3 tests collected*"])


def test_inert_without_submission(pytester):
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    res = pytester.runpytest_inprocess(*PLUGIN, "-q")
    res.assert_outcomes(passed=1)
    assert "points" not in res.stdout.str()
    markers = pytester.runpytest_inprocess(*PLUGIN, "--markers").stdout.str()
    assert "points(n)" not in markers
