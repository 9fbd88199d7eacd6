"""What a submission prints during hidden checks reaches no student-facing format under the
policies `score` and `none`: feedback pages, Gradescope, JUnit, Classroom, JSON, and the
nbgrader test cell's display. Instructors (the text table, `message`) still see it."""
import json

import pytest

from grader.judge.grade import grade
from grader.notebook import grade_check
from grader.reports import pages
from grader.reports.formats import FORMATS, render
from grader.submission.locate import load_submission

from tests.unit.judge.test_faults import REFERENCE, fast_course  # noqa: F401

PRINTER = (REFERENCE / "decaying_cosine.py").read_text() + '''

_grad = decaying_cosine_grad

def decaying_cosine_grad(x):
    print(f"seen x = {float(x):.15f}")   # prints every input: the hidden data set too
    return _grad(x)
'''


@pytest.fixture(scope="module")
def printed_report(tmp_path_factory, fast_course):
    folder = tmp_path_factory.mktemp("printer")
    (folder / "decaying_cosine.py").write_text(PRINTER)
    return grade(load_submission(folder), fast_course, "hw1_autograd",
                 exercises=["decaying_cosine"])


def hidden_lines(report):
    public = report.output + "".join(c.output for c in report.checks if not c.hidden)
    lines = {ln for c in report.checks if c.hidden for ln in c.output.splitlines()}
    return {ln for ln in lines if ln.strip() and ln not in public}


def decoded(text, fmt):
    """The text a student can get at: Classroom's runner result is JSON, which the workflow
    base64-encodes on its way to the reporter; search its decoded strings."""
    if fmt != "classroom":
        return text
    return text + json.dumps(json.loads(text), ensure_ascii=False)


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["score", "none"])
def test_hidden_output_reaches_no_student_format(printed_report, policy):
    secret = hidden_lines(printed_report)
    assert len(secret) >= 20  # the hidden check's 25 random inputs were printed
    outputs = {fmt: decoded(render(printed_report, fmt, policy), fmt)
               for fmt in FORMATS if fmt != "text"}
    outputs["html"] = pages.to_html(printed_report, "ann", (), policy)
    outputs["md"] = pages.to_markdown(printed_report, "ann", (), policy)
    for fmt, text in outputs.items():
        leaked = [ln for ln in secret if ln in text]
        assert not leaked, (fmt, leaked[:3])
    assert "seen x" in outputs["json"]  # the public checks' output is still shown
    assert json.loads(outputs["json"])["files"] == ["decaying_cosine.py"]


@pytest.mark.slow
def test_instructors_see_everything(printed_report):
    secret = hidden_lines(printed_report)
    assert all(ln in render(printed_report, "json", "message") for ln in secret)


def test_nbgrader_test_cell_shows_no_hidden_output(capsys):
    namespace = {}
    exec(PRINTER, namespace)
    exec("pts = grade_check('hw1_autograd', 'decaying_cosine', 'gradient_hidden')",
         dict(namespace, grade_check=grade_check), namespace)
    assert namespace["pts"] == 1
    assert "seen x" not in capsys.readouterr().out
