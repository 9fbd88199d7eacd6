"""grade-all resolves the sandbox (a probe that starts a jail: 0.2-1 s) only when a child is
needed: a class of untouched release notebooks, decided in the parent, pays no probe, gets no
isolation note (no student code ran) and is graded even where --require-sandbox could not be
met; one submission that needs a child makes the probe run, and a sandbox that cannot be had
still stops the whole run (SandboxUnavailable, exit 1), never a student's zero."""
import shutil

import pytest
from click.testing import CliRunner

from grader.bulk.gradeall import Item, grade_all
from grader.cli import cli
from grader.execution import forkserver
from grader.execution.sandbox import ISOLATIONS, SandboxUnavailable, isolation_note
from grader.judge import results as R

A = "hw1_autograd"
NOTES = [isolation_note(i) for i in ISOLATIONS if isolation_note(i)]


@pytest.fixture
def probes(monkeypatch):
    """Every sandbox resolution a ZygotePool asks for, recorded; none can be had."""
    asked = []

    def unavailable(limits, require=False, quiet=False):
        asked.append(require)
        raise SandboxUnavailable("a sandbox is required but bubblewrap is not installed")
    monkeypatch.setattr(forkserver, "default_sandbox", unavailable)
    return asked


def untouched_class(root, folder, n=2):
    for i in range(n):
        (folder / f"s{i}").mkdir(parents=True)
        shutil.copy(root / "assignments" / A / f"{A}.ipynb", folder / f"s{i}")
    return [Item(f"s{i}", folder / f"s{i}") for i in range(n)]


def test_an_untouched_class_is_graded_without_a_sandbox_probe(root, course, tmp_path, probes,
                                                               monkeypatch):
    from grader.bulk import gradeall
    planned = []   # nor are the hidden checks' cases planned (only a child's plots need them)
    monkeypatch.setattr(gradeall, "hidden_digests", lambda *a: planned.append(a) or set())
    items = untouched_class(root, tmp_path)
    graded = grade_all(items, course, A, workers=2, require_sandbox=True,
                       official={"allow_unsandboxed": False, "hide": [str(tmp_path)]})
    assert probes == [] and planned == []
    for g in graded:
        assert not g.crashed and g.report.checks, g.report.notes
        assert {c.status for c in g.report.checks} == {R.NOT_ATTEMPTED}
        assert not set(NOTES) & set(g.report.notes)  # nothing ran: no isolation to note


def test_a_submission_that_needs_a_child_still_fails_the_run_loudly(root, course, tmp_path,
                                                                     probes):
    items = untouched_class(root, tmp_path)
    touched = tmp_path / "zed"
    touched.mkdir()
    shutil.copy(root / "solutions" / A / "decaying_cosine.py", touched)
    with pytest.raises(SandboxUnavailable):
        grade_all(items + [Item("zed", touched)], course, A, workers=1, require_sandbox=True)
    assert probes and all(probes)  # asked for, with the requirement


def test_grade_all_command_require_sandbox_only_where_a_child_runs(root, tmp_path, probes):
    untouched_class(root, tmp_path / "class")
    args = ["--course", str(root / "course.yml"), "grade-all", str(tmp_path / "class"), "-a",
            A, "--require-sandbox", "--no-cache", "--out", str(tmp_path / "g.csv")]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert probes == [] and (tmp_path / "g.csv").exists()
    (tmp_path / "class" / "zed").mkdir()
    shutil.copy(root / "solutions" / A / "decaying_cosine.py", tmp_path / "class" / "zed")
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 1, done.output
    assert "bubblewrap is not installed" in done.output and probes


@pytest.mark.slow
def test_the_probe_runs_once_when_children_are_needed(root, course, tmp_path, monkeypatch):
    real, asked = forkserver.default_sandbox, []

    def counted(*args, **kwargs):
        asked.append(args)
        return real(*args, **kwargs)
    monkeypatch.setattr(forkserver, "default_sandbox", counted)
    items = []
    for i in range(2):
        (tmp_path / f"s{i}").mkdir()
        shutil.copy(root / "solutions" / A / "decaying_cosine.py", tmp_path / f"s{i}")
        items.append(Item(f"s{i}", tmp_path / f"s{i}"))
    graded = grade_all(items, course, A, workers=2)
    assert len(asked) == 1
    for g in graded:
        done = {c.exercise: c.status for c in g.report.checks}
        assert done["decaying_cosine"] == R.PASSED and not g.crashed
