"""Issue 17: notes stay apart from check messages, and student-facing text names files,
never the instructor's absolute paths, in every output: text, JSON, Gradescope, JUnit,
Classroom and the feedback pages."""
import json

import pytest

from grader.config import load_course
from grader.judge.grade import LOAD_ERRORS_POINTER, grade
from grader.reports import pages
from grader.reports.formats import FORMATS, render
from grader.submission.locate import load_submission

from tests.conftest import ROOT, course_variant

RAISES = ROOT / "examples" / "submissions" / "hw1_autograd" / "raises.ipynb"


@pytest.fixture(scope="module")
def course_far_away(tmp_path_factory):
    """decaying_cosine only, in a folder whose absolute path is easy to spot."""
    folder = tmp_path_factory.mktemp("instructors-private-folder")
    return load_course(course_variant(folder, exercises=["decaying_cosine"], alone=True))


def outputs(report, policy):
    texts = {fmt: render(report, fmt, policy) for fmt in FORMATS}
    texts["classroom"] += json.dumps(json.loads(texts["classroom"]), ensure_ascii=False)
    texts["html"] = pages.to_html(report, "ann", (), policy)
    texts["md"] = pages.to_markdown(report, "ann", (), policy)
    return texts


@pytest.mark.slow
def test_load_errors_are_notes_once_and_no_output_names_an_absolute_path(course_far_away):
    report = grade(load_submission(RAISES), course_far_away, "hw1_autograd")
    missing = [c for c in report.checks if c.status == "missing"]
    assert missing, [c.status for c in report.checks]
    load_errors = [n for n in report.notes if n.startswith("error while running")]
    assert load_errors and "ModuleNotFoundError" in load_errors[0]
    for c in missing:   # the rows point at the notes; they do not repeat them
        assert c.message.endswith(LOAD_ERRORS_POINTER.strip()), c.message
        assert "error while running" not in c.message and "course file" not in c.message
    far = str(course_far_away.root)
    for policy in ("message", "score", "none"):
        for fmt, text in outputs(report, policy).items():
            assert far not in text and str(ROOT) not in text, (policy, fmt)
            if fmt != "classroom":   # a Classroom runner result has no notes
                assert "course file: course.yml" in text, (policy, fmt)
            assert text.count("No module named 'seaborn_is_not_installed_here'") <= 2, fmt
