"""Machine-readable reports for CI: Gradescope's results.json and JUnit XML.

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
from grader.reports.policy import shown, student_view, visible_message

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
        test = {"name": check_title(c), "score": c.score, "max_score": c.max_score,
                "status": "passed" if c.status == R.PASSED else "failed",
                "output": out, "visibility": hidden_visibility if c.hidden else "visible"}
        if c.status == R.INFRASTRUCTURE:  # not graded: no score rather than a zero
            del test["score"]
            test["output"] = "NOT GRADED (the grader's fault, not yours): " + out
        tests.append(test)
    summary = [f"{report.assignment}: {report.score:g} / {report.max_score:g} points"]
    summary += ["Note: " + n for n in report.notes]
    if report.printed().strip():
        summary += ["", "Your code printed (first lines):"]
        summary += ["  " + line for line in report.printed().strip().splitlines()[:20]]
    return {"score": report.score, "output": "\n".join(summary), "tests": tests,
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
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def to_classroom(report, hidden_policy="score", partial_steps=20):
    """GitHub Classroom: env lines for autograding-grading-reporter, one runner per check.

    The reporter scores a runner as (tests passed / tests) * max_score, so each
    check is a runner with max_score = its points: one test when it passed or
    scored 0; `partial_steps` tests of which round(fraction * steps) pass when it
    earned partial credit. Output: `RUNNERS=a,b,...` then `<RUNNER>_RESULTS=<base64>`
    lines, ready to append to $GITHUB_ENV.
    """
    import base64
    report = student_view(report, hidden_policy)
    lines, names = [], []
    for c in shown(report, hidden_policy):
        name = f"{c.exercise}-{c.name}".replace("_", "-")
        fraction = c.score / c.max_score if c.max_score else 1.0
        message = c.message
        if 0 < fraction < 1:
            k = round(fraction * partial_steps)
            tests = [{"name": f"{check_title(c)} ({i + 1}/{partial_steps})",
                      "status": "pass" if i < k else "fail", "message": message}
                     for i in range(partial_steps)]
        else:
            tests = [{"name": check_title(c), "status": "pass" if fraction >= 1 else "fail",
                      "message": message}]
        payload = {"version": 1, "status": "pass" if fraction >= 1 else "fail",
                   "max_score": c.max_score, "tests": tests}
        names.append(name)
        lines.append(f"{name.upper()}_RESULTS="
                     + base64.b64encode(json.dumps(payload).encode()).decode("ascii"))
    return "\n".join([f"RUNNERS={','.join(names)}"] + lines)


EXIT_FAIL_UNDER = 3  # the exit status of a grading command whose score is below --fail-under


def render(report, fmt, hidden_policy="score"):
    """The report as text in one of FORMATS (the registry of per-submission formats).

    Every format but `text` (the instructor's terminal) shows hidden checks as
    `hidden_policy` allows (grader/reports/policy.py)."""
    from grader.reports import text
    renderers = {
        "text": lambda: text.to_text(student_view(report, hidden_policy)),
        "json": lambda: text.to_json(student_view(report, hidden_policy)),
        "gradescope": lambda: to_gradescope_json(report, hidden_policy),
        "junit": lambda: to_junit(report, hidden_policy),
        "classroom": lambda: to_classroom(report, hidden_policy),
    }
    return renderers[fmt]()


FORMATS = ["text", "json", "gradescope", "junit", "classroom"]
