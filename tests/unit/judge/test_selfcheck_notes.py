"""What a self-check report says holds nothing only an instructor can act on: the course
file relative to the current folder, no isolation note. Official reports name the course
file by its name (never a path) and keep the isolation note."""
import os

from grader.execution.sandbox import NO_SANDBOX_NOTE
from grader.judge.grade import open_grading, zero_report

from tests.conftest import ROOT


def test_self_check_names_the_course_file_relatively(course, monkeypatch):
    monkeypatch.chdir(ROOT / "assignments" / "hw1_autograd")
    selfcheck = zero_report(course, "hw1_autograd", "x", include_hidden=False)
    assert "course file: ../../course.yml" in selfcheck.notes
    assert not any(os.sep + "course.yml" in n and n.startswith("course file: /")
                   for n in selfcheck.notes)
    official = zero_report(course, "hw1_autograd", "x")
    assert "course file: course.yml" in official.notes   # by name: notes reach students


class _Unsandboxed:
    isolation = "unsandboxed"

    def __call__(self, request):
        raise AssertionError("not started")


def test_isolation_note_only_in_official_reports(course, tmp_path):
    (tmp_path / "trid.py").write_text("x = 1\n")
    notes = {}
    for official in (True, False):
        grading = open_grading(course, tmp_path / "trid.py", "hw1_autograd", _Unsandboxed(),
                               official=official)
        notes[official] = grading.closing_notes
        grading.submission.close()
    assert NO_SANDBOX_NOTE in notes[True] and NO_SANDBOX_NOTE not in notes[False]
