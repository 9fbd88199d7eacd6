"""The bundled example submissions mean what their names say, under official grading."""
import pytest

from grader.judge.grade import grade
from grader.submission.locate import load_submission

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "submissions"
COMPLETE = sorted(EXAMPLES.glob("*/complete.*"))


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_complete_examples_score_full_marks_with_hidden_checks(path, course, fork_servers):
    rep = grade(load_submission(path), course, path.parent.name,
                session_factory=fork_servers(path.parent.name))
    lost = [f"{c.exercise}.{c.name}: {c.status} {c.message[:120]}" for c in rep.checks
            if c.score < c.max_score]
    assert not lost, lost


def test_there_are_complete_examples_for_every_assignment(course):
    assert {p.parent.name for p in COMPLETE} == set(course.spec.assignments)


def test_raising_notebook_loses_only_the_broken_cells_names(course, fork_servers):
    path = EXAMPLES / "hw1_autograd" / "raises.ipynb"
    rep = grade(load_submission(path), course, "hw1_autograd",
                session_factory=fork_servers("hw1_autograd"))
    assert 0 < rep.score < rep.max_score
    assert any("ModuleNotFoundError" in n for n in rep.notes)
