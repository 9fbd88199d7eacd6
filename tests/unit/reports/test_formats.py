"""CI and export formats: Gradescope results.json, JUnit XML, gradebook CSV, feedback pages."""
import base64
import csv
import io
import json
import math
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from grader.reports import formats

from grader.reports import gradebook
from grader.cli import cli
from grader.reports.pages import to_html, to_markdown
from grader.bulk.gradeall import Graded, Item
from grader.judge.results import CheckResult, Report


def make_report():
    rep = Report("hw1_autograd", notes=["a note"], output="hello from the student\n")
    rep.checks = [
        CheckResult("trid", "values", 1, 1, "passed", "", False, 0.01),
        CheckResult("trid", "gradient", 2, 0.5, "failed", "gradient off at x=1 <b>", False, 0.02),
        CheckResult("trid", "minimize", 2, 0, "timeout", "time limit", False, 1.0),
        CheckResult("nn_fit", "fit", 3, 0, "not_attempted", "not attempted yet", False),
        CheckResult("nn_fit", "fit_hidden", 2, 0, "error", "SECRET hidden detail", True),
        CheckResult("nn_fit", "shapes_hidden", 1, 1, "passed", "", True),
    ]
    return rep


def test_gradescope_results_follow_the_spec():
    data = formats.to_gradescope(make_report())
    json.dumps(data)  # serialisable
    assert data["score"] == pytest.approx(2.5)
    assert len(data["tests"]) == 6
    for t in data["tests"]:
        assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert t["status"] in ("passed", "failed")
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["nn_fit: fit_hidden"]["visibility"] == "after_published"
    assert by_name["trid: gradient"]["visibility"] == "visible"
    assert by_name["trid: gradient"]["status"] == "failed"
    assert by_name["trid: gradient"]["score"] == 0.5
    assert by_name["trid: values"]["status"] == "passed"
    assert "hello from the student" in data["output"]


def test_junit_has_one_testcase_per_check_and_hides_hidden_messages():
    text = formats.to_junit(make_report(), hidden_policy="score")
    root = ET.fromstring(text.split("\n", 1)[1])
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 6
    assert suite.get("tests") == "6"
    assert suite.get("failures") == "2"     # failed + not_attempted
    assert suite.get("errors") == "2"       # timeout + error
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    assert cases[1].find("failure") is not None
    assert cases[2].find("error").get("type") == "timeout"
    assert "SECRET" not in text
    assert "SECRET" in formats.to_junit(make_report(), hidden_policy="message")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props == {"score": "2.5", "max_score": "11"}


def graded(student, rep, plots=(), ts=""):
    return Graded(Item(student, None, ts), rep, list(plots))


def test_gradebook_keeps_nbgrader_columns_first(course):
    rep = Report("hw1_autograd", checks=[
        CheckResult("trid", "values", 1, 1, "passed"),
        CheckResult("nn_fit", "fit", 3, 1.5, "failed")])
    text = gradebook.to_csv([graded("zoe", rep, ts="2026-01-01 10:00:00"),
                             graded("adam", Report("hw1_autograd"))], course, "hw1_autograd",
                            duedate="2026-01-02", roster={"zoe": {"first_name": "Zoe",
                                                                  "last_name": "Z",
                                                                  "email": "z@x"}})
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames[:11] == gradebook.NBGRADER_COLUMNS
    assert {"trid", "nn_fit", "decaying_cosine", "linreg_bias"} <= set(reader.fieldnames)
    rows = list(reader)
    assert [r["student_id"] for r in rows] == ["adam", "zoe"]
    zoe = rows[1]
    assert float(zoe["score"]) == 2.5 and float(zoe["raw_score"]) == 2.5
    assert float(zoe["trid"]) == 1.0 and float(zoe["nn_fit"]) == 1.5
    assert zoe["email"] == "z@x" and zoe["duedate"] == "2026-01-02"
    assert zoe["timestamp"] == "2026-01-01 10:00:00"


def test_feedback_escapes_messages_hides_hidden_and_embeds_plots():
    plot = {"title": "convergence", "xlabel": "it", "ylabel": "f", "kind": "line",
            "series": [{"label": "yours", "x": [0, 1, 2], "y": [3.0, 2.0, None]}]}
    page = to_html(make_report(), "s1", [plot], hidden_policy="score")
    assert "&lt;b&gt;" in page and "<b>" not in page.split("<body>")[1].replace(
        "<strong>", "").replace("</strong>", "")
    assert "SECRET" not in page
    assert "data:image/png;base64,iVBOR" in page  # a real PNG
    md = to_markdown(make_report(), "s1", [plot], hidden_policy="none")
    assert "fit_hidden" not in md and "SECRET" not in md
    assert "data:" not in md   # not shown by GitHub or most LMSs: files beside the page
    assert "SECRET" in to_markdown(make_report(), hidden_policy="message")


@pytest.fixture(scope="module")
def stub_dir(root):
    return str(root / "assignments" / "hw1_autograd")


@pytest.mark.parametrize("fmt", ["gradescope", "junit"])
def test_grade_cli_formats_and_exit_codes(stub_dir, fmt, tmp_path, root):
    out = tmp_path / "res"
    res = CliRunner().invoke(cli, ["--course", str(root / "course.yml"), "grade", stub_dir,
                                   "-a", "hw1_autograd", "--format", fmt, "--out", str(out)],
                             obj={})
    assert res.exit_code == 0, res.output
    text = out.read_text()
    if fmt == "gradescope":
        data = json.loads(text)
        assert data["score"] == 0 and len(data["tests"]) > 10
    else:
        assert ET.fromstring(text.split("\n", 1)[1]).find("testsuite") is not None


def test_fail_under_exits_3_but_grading_ran(stub_dir, root):
    args = ["--course", str(root / "course.yml"), "grade", stub_dir, "-a", "hw1_autograd",
            "--format", "json"]
    res = CliRunner().invoke(cli, args + ["--fail-under", "1"], obj={})
    assert res.exit_code == 3
    assert json.loads(res.stdout.split("score 0 is below")[0])["score"] == 0
    assert CliRunner().invoke(cli, args + ["--fail-under", "0"], obj={}).exit_code == 0


# GitHub Classroom's reporter (classroom-resources/autograding-grading-reporter@v1), in Python:
# src/main.js decodes `<RUNNER>_RESULTS` for each runner and fails its step when a runner's
# status is "fail" or "error"; src/notify-classroom.js sums every test's `score` (JavaScript
# `+=`: a missing score makes NaN) over runners with a truthy max_score, out of their sum.
RUNNER_STATUSES, TEST_STATUSES = {"pass", "fail", "error"}, {"pass", "fail", "error"}


def reporter_points(env, runners):
    """(total points, max points, step failed) exactly as the reporter computes them."""
    total = top = 0.0
    results = []
    for runner in runners.split(","):
        data = json.loads(base64.b64decode(env[f"{runner.strip().upper()}_RESULTS"]))
        results.append(data)
        assert data["version"] == 1 and data["status"] in RUNNER_STATUSES
        for test in data["tests"]:  # what the console table and the annotations read
            assert {"name", "status", "score", "message"} <= set(test), test
            assert test["status"] in TEST_STATUSES and isinstance(test["name"], str)
        if not data["max_score"]:
            continue
        top += data["max_score"]
        for test in data["tests"]:
            total += test.get("score", math.nan)
    return total, top, any(r["status"] in ("fail", "error") for r in results)


def classroom_env(text):
    """What the workflow does: base64 of the runner result into CUSTOM_RESULTS."""
    return {"CUSTOM_RESULTS": base64.b64encode(text.encode()).decode("ascii")}


@pytest.mark.parametrize("policy", ["message", "score", "none"])
def test_classroom_result_gives_the_reporter_the_true_points(policy):
    rep = make_report()
    text = formats.to_classroom(rep, hidden_policy=policy)
    total, top, failed = reporter_points(classroom_env(text), "custom")
    assert not math.isnan(total)
    assert (total, top) == (pytest.approx(rep.score), rep.max_score) == (2.5, 11)
    assert not failed  # no --fail-under: the run stays green whatever the score
    tests = {t["name"]: t for t in json.loads(text)["tests"]}
    assert tests["trid: gradient"]["score"] == 0.5  # partial credit, as a fraction of points
    assert tests["trid: gradient"]["status"] == "fail"
    assert tests["trid: minimize"]["status"] == "error"
    assert tests["trid: gradient"]["message"].startswith("0.5/2 points. gradient off")
    assert ("SECRET" in text) == (policy == "message")
    assert ("nn_fit: fit_hidden" in tests) == (policy != "none")


def test_classroom_status_follows_fail_under_only():
    rep = make_report()
    for fail_under, failed in ((3, True), (2.5, False), (None, False)):
        text = formats.to_classroom(rep, fail_under=fail_under)
        assert reporter_points(classroom_env(text), "custom")[2] == failed


def test_classroom_cli_output_is_the_runner_json(tmp_path):
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(make_report().to_dict()))
    res = CliRunner().invoke(cli, ["report", str(saved), "--format", "classroom",
                                   "--fail-under", "3"], obj={})
    assert res.exit_code == 3
    data = json.loads(res.stdout.split("score 2.5 is below")[0])
    assert data["status"] == "fail" and data["max_score"] == 11


def test_report_command_converts_a_saved_report(tmp_path):
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(make_report().to_dict()))
    res = CliRunner().invoke(cli, ["report", str(saved), "--format", "gradescope"], obj={})
    assert res.exit_code == 0 and json.loads(res.stdout)["score"] == 2.5
    res = CliRunner().invoke(cli, ["report", str(saved), "--fail-under", "3"], obj={})
    assert res.exit_code == 3


def test_a_check_not_graded_is_never_a_zero_in_any_report(root):
    """A check the machine failed to grade (status infrastructure): every format says it
    was not graded, and none shows it as a score of 0."""
    from grader.config import load_course
    from grader.judge.grade import note_not_graded
    rep = Report("hw1_autograd")
    rep.checks = [CheckResult("trid", "values", 1, 1, "passed", "", False, 0.01),
                  CheckResult("trid", "minimize_hidden", 3, 0, "infrastructure",
                              "not graded: the machine was too busy", True, 100.0)]
    note_not_graded(rep)
    assert rep.notes[0].startswith("NOT GRADED") and "trid.minimize_hidden" in rep.notes[0]
    for fmt in formats.FORMATS:
        if fmt != "classroom":
            assert "NOT GRADED" in formats.render(rep, fmt, "score"), fmt
    test = {t["name"]: t for t in formats.to_gradescope(rep)["tests"]}["trid: minimize_hidden"]
    assert "score" not in test and test["output"].startswith("NOT GRADED")
    case = ET.fromstring(formats.to_junit(rep).split("\n", 1)[1]).find(
        ".//testcase[@name='minimize_hidden (hidden)']")
    assert case.find("skipped") is not None and case.find("failure") is None
    course = load_course(root / "course.yml")
    row = gradebook.rows([Graded(Item("s1", "x"), rep, crashed=True)], course,
                         "hw1_autograd")[0]
    assert row["score"] == row["raw_score"] == row["trid"] == "" and "NOT GRADED" in row["note"]
    assert "not graded" in to_markdown(rep) and "not graded" in to_html(rep)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)",
                                  "\tx", "\rx"])
def test_student_strings_in_the_gradebook_are_not_formulas(root, text):
    from grader.config import load_course
    course = load_course(root / "course.yml")
    item = Item(text, "x", timestamp=text)
    out = gradebook.to_csv([Graded(item, make_report(), crashed=True)], course, "hw1_autograd")
    row = next(csv.DictReader(io.StringIO(out)))
    for key in ("timestamp", "student_id"):
        assert row[key] == ("'" + text).replace("\r", " "), (key, row[key])
    assert float(row["score"]) == pytest.approx(2.5)   # our numbers stay numbers


def test_plots_skip_replies_larger_than_their_cap():
    from grader import wire
    from grader.reports.plots import MAX_PLOT_REPLY_BYTES, ObservingSession

    class Big:
        last_reply_bytes = MAX_PLOT_REPLY_BYTES + 1

        def probe(self, request, budget):
            return {"ok": True, "value": 1.0}

    plots = []
    request = {"assignment": "hw1_autograd", "exercise": "trid", "kind": "gd_iterates",
               "cases": wire.encode({"n_iters": 1})}
    calls = []
    from grader.reports import plots as plots_module
    original = plots_module.EXTRACTORS["hw1_autograd.trid.gd_iterates"]
    plots_module.EXTRACTORS["hw1_autograd.trid.gd_iterates"] = lambda *a: calls.append(a) or []
    try:
        ObservingSession(Big(), plots).probe(request, None)
        Big.last_reply_bytes = 10
        ObservingSession(Big(), plots).probe(request, None)
    finally:
        plots_module.EXTRACTORS["hw1_autograd.trid.gd_iterates"] = original
    assert len(calls) == 1
