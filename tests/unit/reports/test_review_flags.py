"""Review flags (CheckResult.flags): computed by the kind in the parent, never points, shown
to the instructor (grade-all's gradebook and raw JSON, the results database) and in no
rendered format."""
import csv
import io
import json

import numpy as np

from grader.bulk.gradeall import Graded, Item
from grader.checks.sourcescan import GradedSource
from grader.judge.grade import judge, plan_cases
from grader.judge.results import CheckResult, Report
from grader.reports import formats, gradebook
from grader.reports.pages import to_markdown
from grader.reports.text import to_text
from grader.submission.load import Chunk

FLAG = "closed form: numpy.linalg.lstsq (1 call) called by fit_linreg_with_bias"


def test_judge_attaches_the_kinds_flags_and_they_never_change_the_score(course):
    check = next(c for c in course.checks_for("hw1_autograd", ["trid"]) if c.name == "minimize")
    _, cases = plan_cases(check)
    code = ("import sys\nimport numpy as np\n_m = sys.modules\n"
            "def minimize_trid(init_x_D):\n    return np.asarray(init_x_D) * 0 + "
            "np.linalg.solve(np.eye(2) * 2 - np.eye(2)[::-1], np.ones(2))\n")
    cases["_source"] = GradedSource([Chunk("trid.py", code, 1, "trid")])
    honest = {"counts": {"solver": 1, "gradient": 0, "trid_grad": 0},
              "called": {"numpy.linalg.solve": 1}}
    value = [{"x": np.array([2.0, 2.0]), "calls": honest} for _ in cases["starts"]]
    from grader import wire
    result = judge(check, cases, {"ok": True, "value": wire.encode(value)})
    assert result.score == 0 and "solve" in result.message
    assert any("numpy.linalg.solve (1 call) called by minimize_trid" in f for f in result.flags)
    assert any("np.linalg.solve" in f and "source scan" in f for f in result.flags)
    assert any("can reach the grader" in f and "sys.modules" in f for f in result.flags)


def flagged_report():
    return Report("hw1_autograd", checks=[
        CheckResult("linreg_bias", "fit", 2, 0, "failed", "a closed form", flags=[FLAG]),
        CheckResult("trid", "values", 1, 1, "passed")])


def test_instructor_outputs_show_flags_and_rendered_formats_do_not():
    """The raw report (grade-all --format json, the results database) and the instructor's
    own text keep them; every rendered format, `text` and `json` included, may reach a
    student (a Classroom job summary) and drops them: a flag may quote a hidden input."""
    rep = flagged_report()
    assert rep.to_dict()["checks"][0]["flags"] == [FLAG]
    assert "review flag: closed form: numpy.linalg.lstsq" in to_text(rep)
    assert Report.from_dict(rep.to_dict()).checks[0].flags == [FLAG]  # the cache keeps them
    assert json.loads(formats.render(rep, "json"))["checks"][0]["flags"] == []
    assert "review flag" not in formats.render(rep, "text")


def test_gradebook_has_a_flags_column(course):
    text = gradebook.to_csv([Graded(Item("zoe", None, ""), flagged_report(), [])], course,
                            "hw1_autograd")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["flags"] == f"linreg_bias.fit: {FLAG}"


def test_student_formats_do_not_show_flags():
    rep = flagged_report()
    for fmt in ("gradescope", "junit", "classroom"):
        assert "lstsq" not in formats.render(rep, fmt), fmt
    assert "lstsq" not in to_markdown(rep)
