"""A forged evidence report never raises a score (issue 18, class 2), graded for real.

Each file of tests/adversarial/evidence/ runs after the hw1 reference, in its exercise's
module (as a selftest mutant does), in a real sandboxed child: the attack imports the
staged grader.checks.evidence and forges every CallLog report. Points for the "how" rules
come from what the parent computes itself (values, its own scan of the graded source), so
the forgery gains nothing where the parent can tell; where it cannot, the promise is the
review flag, which comes from the parent's scan of the source and cannot be forged.
"""
import pytest

from grader.authoring.selftest import Case, grade_case
from grader.config import load_course

from tests.conftest import ROOT

COURSE = load_course(ROOT / "course.yml")
ATTACKS = ROOT / "tests" / "adversarial" / "evidence"
TAMPER = "can reach the grader inside its own process"


def graded(name, exercise):
    """{check name: CheckResult} of the reference with the attack file run after it."""
    case = Case("hw1_autograd", "alternative", name, ATTACKS / f"{name}.py", exercise)
    return {c.name: c for c in grade_case(case, COURSE).checks}


@pytest.mark.slow
@pytest.mark.adversarial
def test_forged_call_log_and_lstsq_taken_before_the_wrap_earn_nothing():
    checks = graded("forge_lstsq", "linreg_bias")
    for name in ("fit", "fit_hidden"):
        assert checks[name].score == 0, checks[name]
        assert "lstsq" in checks[name].message and "closed-form" in checks[name].message
        assert any(TAMPER in f and "grader.checks.evidence" in f for f in checks[name].flags)
    assert checks["add_bias_column"].score == checks["add_bias_column"].max_score


@pytest.mark.slow
@pytest.mark.adversarial
def test_forged_gradient_count_does_not_pass_a_closed_form_trid_minimiser():
    checks = graded("forge_trid", "trid")
    for name in ("minimize", "minimize_hidden"):
        assert checks[name].score == 0, checks[name]
        assert "init_x_D" in checks[name].message
        assert any(TAMPER in f and "sys.modules" in f for f in checks[name].flags)


@pytest.mark.slow
@pytest.mark.adversarial
def test_a_solver_the_parent_cannot_read_is_flagged_for_review():
    """What we promise when nothing the parent computes can tell: the flag, not the points."""
    checks = graded("forge_hidden_solver", "linreg_bias")
    for name in ("fit", "fit_hidden"):
        assert any(TAMPER in f and "__import__" in f for f in checks[name].flags), checks[name]
