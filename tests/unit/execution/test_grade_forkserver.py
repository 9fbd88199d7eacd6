"""`grader grade` and Gradescope's run_autograder (authoring/gradescope.run) start one fork server (the assignment's imports paid once) and forks the
public child and the hidden child from it: two children, never one for both, and no fresh
`python -I` child importing everything again for the hidden checks (it cost hw2 ~2.5 s of
torch import). The fork server imports matplotlib (WARM) before its first fork only for a
submission that names it, a notebook (forkserver.wants_warm): then both children have it,
and a .py class's fork servers skip ~0.7 CPU-s each."""
import json

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.execution import forkserver, session

from tests.conftest import course_variant

A = "hw1_autograd"


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    """course.yml with decaying_cosine alone: its public checks and its hidden one."""
    return course_variant(tmp_path_factory.mktemp("course"), exercises=["decaying_cosine"])


@pytest.fixture
def spawned(monkeypatch):
    """(fork servers started (their `warm`), forks, fresh children) of what runs next."""
    started, forks, fresh = [], [], []
    real_start, real_session, real_child = (forkserver.Zygote.start, forkserver.ZygoteSession,
                                            session.ChildSession.start)

    def zygote_start(self):
        started.append(self.warm)
        return real_start(self)

    def zygote_session(zygote, request, limits):
        forks.append(zygote)
        return real_session(zygote, request, limits)

    def child_start(self):
        fresh.append(self)
        return real_child(self)
    monkeypatch.setattr(forkserver.Zygote, "start", zygote_start)
    monkeypatch.setattr(forkserver, "ZygoteSession", zygote_session)
    monkeypatch.setattr(session.ChildSession, "start", child_start)
    return started, forks, fresh


@pytest.mark.slow
def test_grade_forks_public_and_hidden_children_from_one_fork_server(root, small_course,
                                                                      spawned):
    started, forks, fresh = spawned
    done = CliRunner().invoke(cli, ["--course", str(small_course), "grade",
                                    str(root / "solutions" / A / "decaying_cosine.py"),
                                    "-a", A, "--format", "json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout[done.stdout.index("{"):])
    hidden = [c for c in report["checks"] if c["hidden"]]
    assert hidden and all(c["status"] == "passed" for c in report["checks"])
    assert started == [False]           # one fork server, not warmed: no matplotlib in a .py
    assert len(forks) == 2 and not fresh  # the public child, then the hidden one: two forks


@pytest.mark.slow
def test_grade_of_a_notebook_warms_its_one_fork_server(root, small_course, spawned):
    started, forks, fresh = spawned
    done = CliRunner().invoke(cli, ["--course", str(small_course), "grade",
                                    str(root / "examples" / "submissions" / A / "complete.ipynb"),
                                    "-a", A, "--format", "json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout[done.stdout.index("{"):])
    assert report["score"] == report["max_score"] == 5, report
    assert started == [True]            # matplotlib imported once, before the first fork
    assert len(forks) == 2 and not fresh


@pytest.mark.slow
def test_a_notebook_after_a_py_file_gets_a_warm_fork_server_once(root, small_course, spawned):
    """A class whose first submission is a .py: its fork server is cold; the first notebook
    replaces it with a warm one (started before that notebook's code runs), and later
    submissions of either kind fork from that one."""
    from grader.bulk.gradeall import Item, grade_all
    from grader.config import load_course
    started, forks, fresh = spawned
    course = load_course(small_course)
    py = root / "solutions" / A / "decaying_cosine.py"
    book = root / "examples" / "submissions" / A / "complete.ipynb"
    items = [Item(name, path) for name, path in
             (("a_py", py), ("b_notebook", book), ("c_py", py), ("d_notebook", book))]
    graded = grade_all(items, course, A, workers=1)
    assert [g.report.score for g in graded] == [5, 5, 5, 5], [g.report.notes for g in graded]
    assert started == [False, True]      # cold for the .py, then warm once, kept
    assert len(forks) == 8 and not fresh


def test_wants_warm_reads_the_submissions_code():
    def request(*codes):
        return {"chunks": [{"name": "a.py", "code": c, "first_line": 1, "module": ""}
                           for c in codes]}
    assert forkserver.wants_warm(request("x = 1", "import matplotlib.pyplot as plt"))
    assert forkserver.wants_warm(request("from grader.notebook import check"))
    assert not forkserver.wants_warm(request("import numpy as np", "def f(x):\n    return x"))
    assert not forkserver.wants_warm(request()) and not forkserver.wants_warm(None)


@pytest.mark.slow
def test_gradescope_run_forks_public_and_hidden_children_from_one_fork_server(
        root, small_course, spawned, tmp_path, monkeypatch):
    from grader.authoring.gradescope import run
    started, forks, fresh = spawned
    monkeypatch.setenv("GRADER_COURSE", str(small_course))
    (tmp_path / "source").mkdir()
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "decaying_cosine.py").write_text(
        (root / "solutions" / A / "decaying_cosine.py").read_text())
    run(tmp_path, A)
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 5, results.get("output")   # hidden check included
    assert started == [False]           # one fork server, not warmed
    assert len(forks) == 2 and not fresh  # the public child, then the hidden one: two forks
