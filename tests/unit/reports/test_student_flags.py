"""Review flags are the instructor's: no student view carries them."""
from grader.judge.results import CheckResult, Report
from grader.reports.policy import student_view


def test_flags_never_reach_a_student_view():
    rep = Report("hw1_autograd", checks=[
        CheckResult("trid", "minimize_hidden", 1, 1, "passed", "", True,
                    flags=["first evaluation at x0 = [0.5 0.25] (hidden start)"]),
        CheckResult("trid", "minimize", 1, 1, "passed", "", False, flags=["closed form"])])
    for policy in ("message", "score", "none"):
        assert all(c.flags == [] for c in student_view(rep, policy).checks), policy
    assert rep.checks[0].flags  # the instructor's report keeps them
