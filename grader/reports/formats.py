"""Machine-readable reports for CI: Gradescope's results.json, JUnit XML, GitHub Classroom.

Gradescope (results.json): a top-level `score` and `tests[]`, each test with
name, score, max_score, status ("passed" | "failed"), output and visibility;
hidden checks are "after_published" so students see them once the instructor
publishes grades. JUnit XML: one <testsuite> per assignment, one <testcase>
per check (classname "assignment.exercise"); a check that lost points is a
<failure>, one whose code raised, timed out or was missing is an <error>;
points ride along as <properties> (score, max_score).
"""
import json
import xml.etree.ElementTree as ET

from grader.judge import results as R
from grader.reports.escape import plain, xml_text
from grader.reports.policy import shown, student_view, visible_message
from grader.status import points

_ERROR_STATUSES = (R.ERROR, R.TIMEOUT, R.MISSING)


def check_title(c):
    return f"{c.exercise}: {c.name}"


def to_gradescope(report, hidden_policy="score", hidden_visibility="after_published"):
    """Gradescope's results.json as a dict (json.dumps it to write).

    Hidden checks follow the course's hidden policy (what students see once
    grades are published) and are `after_published` (hidden until then)."""
    report = student_view(report, hidden_policy)
    tests = []
    for c in shown(report, hidden_policy):
        out = c.message or ("passed" if c.status == R.PASSED else c.status.replace("_", " "))
        test = {"name": plain(check_title(c)), "score": c.score, "max_score": c.max_score,
                "status": "passed" if c.status == R.PASSED else "failed",
                "output": plain(out), "output_format": "text",
                "visibility": hidden_visibility if c.hidden else "visible"}
        if c.status == R.INFRASTRUCTURE:  # not graded: no score rather than a zero
            del test["score"]
            test["output"] = "NOT GRADED (the grader's fault, not yours): " + plain(out)
        tests.append(test)
    summary = [f"{report.assignment}: {report.score:g} / {report.max_score:g} points"]
    summary += ["Note: " + n for n in report.notes]
    if report.printed().strip():
        summary += ["", "Your code printed (first lines):"]
        summary += ["  " + line for line in report.printed().strip().splitlines()[:20]]
    # output_format "text": Gradescope shows student text as text, never as HTML or Markdown
    return {"score": report.score, "output": plain("\n".join(summary)), "output_format": "text",
            "test_output_format": "text", "test_name_format": "text", "tests": tests,
            "visibility": "visible", "stdout_visibility": "hidden"}


def to_gradescope_json(report, hidden_policy="score"):
    return json.dumps(to_gradescope(report, hidden_policy), indent=2)


def to_junit(report, hidden_policy="score", suite_name=None):
    """JUnit XML text: one testcase per check."""
    report = student_view(report, hidden_policy)
    checks = shown(report, hidden_policy)
    failures = sum(c.status not in (R.PASSED, R.INFRASTRUCTURE, *_ERROR_STATUSES)
                   for c in checks)
    skipped = sum(c.status == R.INFRASTRUCTURE for c in checks)
    errors = sum(c.status in _ERROR_STATUSES for c in checks)
    total_time = sum(c.duration for c in checks)
    root = ET.Element("testsuites", name=suite_name or report.assignment,
                      tests=str(len(checks)), failures=str(failures), errors=str(errors),
                      time=f"{total_time:.3f}")
    suite = ET.SubElement(root, "testsuite", name=suite_name or report.assignment,
                          tests=str(len(checks)), failures=str(failures), errors=str(errors),
                          skipped=str(skipped), time=f"{total_time:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in (("score", report.score), ("max_score", report.max_score)):
        ET.SubElement(props, "property", name=key, value=f"{value:g}")
    for c in checks:
        case = ET.SubElement(suite, "testcase", classname=f"{report.assignment}.{c.exercise}",
                             name=c.name + (" (hidden)" if c.hidden else ""),
                             time=f"{c.duration:.3f}")
        cprops = ET.SubElement(case, "properties")
        for key, value in (("score", c.score), ("max_score", c.max_score)):
            ET.SubElement(cprops, "property", name=key, value=f"{value:g}")
        if c.status == R.PASSED:
            continue
        if c.status == R.INFRASTRUCTURE:  # not graded: skipped, not failed
            ET.SubElement(case, "skipped", message=("not graded: " + c.message)[:500])
            continue
        tag = "error" if c.status in _ERROR_STATUSES else "failure"
        text = visible_message(c, hidden_policy)
        head = f"{c.status}: {c.score:g}/{c.max_score:g} points"
        el = ET.SubElement(case, tag, message=(f"{head}. {text}" if text else head)[:500],
                           type=c.status)
        el.text = text
    if report.notes or report.printed().strip():
        ET.SubElement(suite, "system-out").text = "\n".join(
            ["Note: " + n for n in report.notes] + [report.printed().strip()])
    _xml_safe(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _xml_safe(root):
    """Every text and attribute of the tree through escape.xml_text (student text holds
    control characters and undecodable names that would make the XML invalid)."""
    for el in root.iter():
        if el.text is not None:
            el.text = xml_text(el.text)
        for key, value in el.attrib.items():
            el.attrib[key] = xml_text(value)


def to_classroom(report, hidden_policy="score", fail_under=None):
    """GitHub Classroom: ONE runner result for autograding-grading-reporter, as JSON text.

    The reporter (classroom-resources/autograding-grading-reporter@v1) reads
    `<RUNNER>_RESULTS`, base64 of this document, for each runner it is given;
    its points are the sum of every test's `score`, out of the sum of the
    runners' `max_score`. So each check is one test with its real, possibly
    fractional, `score`, and `max_score` is the report's. Under the hidden
    policy `none` the hidden checks are one test "hidden checks" carrying
    their total, so the points still add up. `status` is what colours the
    run (the reporter fails its step on "fail"): "fail" only when `fail_under`
    is given and the score is below it, else "pass".
    """
    report = student_view(report, hidden_policy)
    tests = [_classroom_test(check_title(c), [c], visible_message(c, hidden_policy))
             for c in shown(report, hidden_policy)]
    hidden = [c for c in report.checks if c.hidden and hidden_policy == "none"]
    if hidden:
        tests.append(_classroom_test(f"hidden checks ({len(hidden)})", hidden, ""))
    below = fail_under is not None and report.score < fail_under
    return json.dumps({"version": 1, "status": "fail" if below else "pass",
                       "max_score": report.max_score, "tests": tests}, indent=1)


_CLASSROOM_STATUS = {R.PASSED: "pass", R.FAILED: "fail", R.NOT_ATTEMPTED: "fail"}


def _classroom_test(name, checks, message):
    """One test of a Classroom runner result: `checks` scored together (usually one)."""
    score = round(sum(c.score for c in checks), 6)
    top = round(sum(c.max_score for c in checks), 6)
    statuses = {_CLASSROOM_STATUS.get(c.status, "error") for c in checks}
    status = "error" if "error" in statuses else "fail" if "fail" in statuses else "pass"
    head = f"{points(score)}/{points(top)} points"
    return {"name": plain(name), "status": status, "score": score,
            "message": plain(f"{head}. {message}" if message else head),
            "test_code": "", "filename": "", "line_no": 0,
            "execution_time": f"{sum(c.duration for c in checks):.2f}s"}


EXIT_FAIL_UNDER = 3  # the exit status of a grading command whose score is below --fail-under


def render(report, fmt, hidden_policy="score", fail_under=None):
    """The report as text in one of FORMATS (the registry of per-submission formats).

    Every format but `text` (the instructor's terminal) shows hidden checks as
    `hidden_policy` allows (grader/reports/policy.py). `fail_under` sets the
    Classroom runner's status (the colour of the run)."""
    from grader.reports import text
    renderers = {
        "text": lambda: text.to_text(student_view(report, hidden_policy)),
        "json": lambda: text.to_json(student_view(report, hidden_policy)),
        "gradescope": lambda: to_gradescope_json(report, hidden_policy),
        "junit": lambda: to_junit(report, hidden_policy),
        "classroom": lambda: to_classroom(report, hidden_policy, fail_under),
    }
    return renderers[fmt]()


FORMATS = ["text", "json", "gradescope", "junit", "classroom"]
