"""The selftest, one pytest item per case: reference full, stub 0, mutants lose, alternatives full."""
import pytest

from grader.authoring.selftest import discover, run_case
from grader.config import load_course
from grader.execution.forkserver import ZygotePool

from tests.conftest import ROOT

COURSE = load_course(ROOT / "course.yml")
CASES = [c for a in COURSE.spec.assignments for c in discover(ROOT, a)]


@pytest.fixture(scope="module")
def zygotes():
    pool = ZygotePool(COURSE)
    yield pool
    pool.close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.assignment}-{c.role}-{c.name}")
def test_case(case, zygotes):
    outcome = run_case(case, COURSE, zygotes.session_factory(case.assignment))
    assert outcome.ok, outcome.line()


@pytest.mark.parametrize("assignment", list(COURSE.spec.assignments))
def test_enough_mutants_and_alternatives(assignment):
    """At least 5 mutants and 2 alternatives target every exercise."""
    cases = discover(ROOT, assignment)
    for exercise in COURSE.spec.assignments[assignment].exercises:
        mutants = [c for c in cases if c.role == "mutant" and c.exercise == exercise]
        alts = [c for c in cases if c.role == "alternative" and c.exercise == exercise]
        assert len(mutants) >= 5, f"{assignment}.{exercise}: {len(mutants)} mutants"
        assert len(alts) >= 2, f"{assignment}.{exercise}: {len(alts)} alternatives"
