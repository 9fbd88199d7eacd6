"""grade-all after a course.yml edit: the old and the regraded checks put together."""
from pathlib import Path

from grader.bulk.gradeall import Graded, Item, StoreCache, merge_stale
from grader.judge.results import CheckResult, Report

A = "hw1_autograd"


def graded(course, scores, notes=(), hidden_notes=(), output="", crashed=False):
    checks = [CheckResult(c.exercise, c.name, c.points, scores.get((c.exercise, c.name), 0.0),
                          "passed", "", c.hidden) for c in course.checks_for(A)
              if (c.exercise, c.name) in scores]
    return Graded(Item("ann", Path("ann")), Report(A, checks=checks, notes=list(notes),
                                                   hidden_notes=list(hidden_notes),
                                                   output=output), crashed=crashed)


def test_a_regrade_of_one_check_keeps_the_rest_and_the_old_notes(course):
    every = {(c.exercise, c.name): c.points for c in course.checks_for(A)}
    one = next(iter(every))
    old = graded(course, every, notes=["graded: a.py", "error while running In [3]: x"],
                 hidden_notes=["hidden load error"], output="printed at load")
    new = graded(course, {one: 0.0}, notes=["graded: a.py"], crashed=True)
    merged = merge_stale(old, new, course, A)
    assert [(c.exercise, c.name) for c in merged.report.checks] == list(every)
    assert merged.report.score == sum(every.values()) - every[one]
    assert merged.report.notes == ["graded: a.py", "error while running In [3]: x"]
    assert merged.report.hidden_notes == ["hidden load error"]
    assert merged.report.output == "printed at load" and merged.crashed


def test_a_run_that_may_be_unsandboxed_never_reuses_an_isolated_grading(tmp_path, course):
    path = tmp_path / "grades.sqlite"
    g = graded(course, {(c.exercise, c.name): c.points for c in course.checks_for(A)})
    g.digest = "d"
    isolated = StoreCache(path, course, A)
    isolated.put(g, A)
    assert isolated.get(g.item, "d", A) is not None
    isolated.close()
    loose = StoreCache(path, course, A, variant="unsandboxed")
    assert loose.get(g.item, "d", A) is None
    loose.close()
