"""The selftest, one pytest item per case: reference full, stub 0, mutants lose, alternatives
full; then every check of course.yml fails at least one mutant (or rules.NO_MUTANT says why)."""
import pytest

from grader.authoring.selftest import discover, format_accuracy, run_case, uncaught_checks
from grader.config import load_course
from grader.execution.forkserver import ZygotePool

from tests.conftest import ROOT

COURSE = load_course(ROOT / "course.yml")
CASES = [c for a in COURSE.spec.assignments for c in discover(ROOT, a)]
OUTCOMES = {}  # case id -> outcome, filled by test_case and reused by the accuracy test


def case_id(c):
    return f"{c.assignment}-{c.role}-{c.name}"


@pytest.fixture(scope="module")
def zygotes():
    pool = ZygotePool(COURSE)
    yield pool
    pool.close()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case(case, zygotes):
    outcome = run_case(case, COURSE, zygotes.session_factory(case.assignment))
    OUTCOMES[case_id(case)] = outcome
    assert outcome.ok, outcome.line()


def test_every_check_catches_a_mutant(zygotes):
    """Per-check accuracy: each check loses points on at least one mutant. Reuses the
    outcomes of test_case; mutants it did not run (a -k selection) are run here."""
    mutants = [c for c in CASES if c.role == "mutant"]
    outcomes = [OUTCOMES.get(case_id(c)) or run_case(c, COURSE, zygotes.session_factory(
        c.assignment)) for c in mutants]
    assert uncaught_checks(outcomes, COURSE) == [], format_accuracy(outcomes, COURSE)


@pytest.mark.parametrize("assignment", list(COURSE.spec.assignments))
def test_enough_mutants_and_alternatives(assignment):
    """At least 5 mutants and 2 alternatives target every exercise."""
    cases = discover(ROOT, assignment)
    for exercise in COURSE.spec.assignments[assignment].exercises:
        mutants = [c for c in cases if c.role == "mutant" and c.exercise == exercise]
        alts = [c for c in cases if c.role == "alternative" and c.exercise == exercise]
        assert len(mutants) >= 5, f"{assignment}.{exercise}: {len(mutants)} mutants"
        assert len(alts) >= 2, f"{assignment}.{exercise}: {len(alts)} alternatives"
