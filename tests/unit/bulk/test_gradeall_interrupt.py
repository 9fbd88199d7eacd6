"""Ctrl-C inside grade_all: the finished submissions are in the cache, the runner is closed,
and the exception says how far it got (the real thing: tests/e2e/test_cli_interrupt.py)."""

import pytest

from grader.bulk import gradeall, store
from grader.judge.grade import zero_report


def test_an_interrupt_keeps_what_finished_and_closes_the_runner(tmp_path, course):
    items = []
    for name in ("amy", "ben", "cat", "dan"):
        (tmp_path / f"{name}.py").write_text(f"x = '{name}'\n")
        items.append(gradeall.Item(name, tmp_path / f"{name}.py"))
    closed = []

    def runner(todo, course_, assignment):
        try:
            for i, item, _digest in todo[:2]:
                yield i, gradeall.Graded(item, zero_report(course_, assignment, "done"))
            raise KeyboardInterrupt  # Ctrl-C while the third is being graded
        finally:
            closed.append(True)

    cache = tmp_path / "out" / "grades.sqlite"
    cache.parent.mkdir()
    with pytest.raises(gradeall.Interrupted) as stop:
        # each finished one is committed as it comes: nothing waits for a flush
        gradeall.grade_all(items, course, "hw1_autograd", cache_path=cache, runner=runner)
    assert (stop.value.finished, stop.value.total) == (2, 4) and closed == [True]
    assert "run the same command again to grade the other 2" in str(stop.value)
    db = store.open_db(cache)
    assert db.students("hw1_autograd") == ["amy", "ben"]
    db.close()
