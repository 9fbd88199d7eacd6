"""How `grader selftest` spends its time: the costliest cases first, mutants limited
by what the reference needed per check (fake grading here: no child runs)."""
import threading

import pytest

from grader.authoring import selftest
from grader.authoring.selftest import (HEADROOM_FACTOR, MUTANT_FLOOR_S, MUTANT_TIME_LIMIT_S,
                                       Case, CheckUse, Outcome, case_time_limits)
from grader.judge.grade import Grading
from grader.submission.load import Submission

from tests.conftest import ROOT

A = "hw1_autograd"


def reference_outcome(uses):
    out = Outcome(Case(A, "reference", "reference", ROOT), 36, 36, True)
    out.cpu = {k: CheckUse(cpu, status) for k, (cpu, status) in uses.items()}
    return out


def test_a_mutants_limit_follows_the_references_cpu_per_check(course):
    mutant = Case(A, "mutant", "m", ROOT, "trid")
    reference = reference_outcome({("trid", "values"): (0.01, "passed"),
                                   ("trid", "minimize"): (1.0, "passed"),
                                   ("trid", "minimize_hidden"): (5.0, "passed"),
                                   ("decaying_cosine", "values"): (0.01, "passed")})
    caps = case_time_limits(mutant, course, reference)
    assert caps[("trid", "values")] == MUTANT_FLOOR_S
    assert caps[("trid", "minimize")] == HEADROOM_FACTOR * 1.0
    assert caps[("trid", "minimize_hidden")] == MUTANT_TIME_LIMIT_S  # never above the old cap
    assert ("decaying_cosine", "values") not in caps                  # another exercise
    checks = {c.name: c for c in course.checks_for(A, ["trid"])}
    grading = Grading(Submission("x"), course, A, time_limits=caps)
    assert grading.time_limit(checks["values"]) == MUTANT_FLOOR_S
    assert grading.time_limit(checks["minimize"]) == min(checks["minimize"].time_limit_s,
                                                         HEADROOM_FACTOR * 1.0)
    assert grading.time_limit(checks["gradient"]) == min(checks["gradient"].time_limit_s,
                                                         MUTANT_TIME_LIMIT_S)
    # without the reference (or for another role) the limits are as before
    assert case_time_limits(mutant, course) == {"trid": MUTANT_TIME_LIMIT_S}
    assert case_time_limits(Case(A, "alternative", "a", ROOT, "trid"), course, reference) is None


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_reference_first_and_every_mutant_gets_its_limits_from_it(course, monkeypatch, workers):
    started, lock, references_done = [], threading.Lock(), threading.Event()
    seen = {}

    def fake_run_case(case, course_, factory=None, reference=None):
        with lock:
            started.append(case.role)
        if case.role == "mutant":
            assert references_done.is_set()  # mutants wait for the reference
            seen[case.name] = reference
        out = Outcome(case, 1, 1, True)
        if case.role == "reference":
            out.cpu = {("trid", "values"): CheckUse(0.5, "passed")}
            references_done.set()
        return out
    monkeypatch.setattr(selftest, "run_case", fake_run_case)
    finished = []
    outcomes = selftest.run_selftest(course, [A], workers=workers, progress=finished.append)
    cases = selftest.all_cases(course, [A])
    assert [o.case for o in outcomes] == cases          # reported in the table's order
    assert len(finished) == len(cases)                  # one progress call per case
    assert started[0] == "reference"
    assert started.index("mutant") > started.index("alternative")  # costliest kinds first
    assert seen and all(r is not None and r.case.role == "reference" for r in seen.values())
