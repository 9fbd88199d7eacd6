"""Checks inside a notebook: `check("trid")`, `check_all()`, and nbgrader's test cells.

    from grader.notebook import check, check_all
    check("trid")        # public checks of one exercise, as a table
    check_all()          # every public check of the assignment

These run IN the notebook's own process, on the caller's globals: it is the
student's machine and their own code (DESIGN.md). They go through the same
`grading.grade` as `grader check`, with `InProcessSession` in place of the
isolated child, so verdicts and messages are the same. Nothing is written to
stderr: what the student's functions print or warn while being probed is
captured and shown under the table.

`grade_check(assignment, exercise, check)` is what nbgrader's autograder test
cells call: one check, hidden ones included, whose last value is the points
earned (nbgrader reads it as partial credit). Inside nbgrader's kernel this is
in-process as well: unlike `grader grade`, student code shares the process.
"""
import sys
import warnings
from pathlib import Path

from grader.checks import student
from grader.status import COLOUR, MARK, points
from grader.execution.inprocess import InProcessSession
from grader.reports.policy import student_view
from grader.submission.load import Submission

last_report = None  # the Report of the latest check()/check_all(), for the curious


def _inside_grader_child():
    # The isolated child runs whole notebooks, check cells included; it must
    # not grade itself (that is the parent's job), so the helpers do nothing.
    return student.IN_CHILD


# ------------------------------------------------------------------ running
def run_checks(namespace, assignment, exercises=None, include_hidden=False, check_names=None,
               course=None):
    """Grade the live namespace; returns a results.Report."""
    from grader.judge.grade import grade
    course = course or _load_course()
    if check_names is not None:
        course = _only(course, assignment, exercises, set(check_names))
    submission = Submission(origin="notebook")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nothing of ours may reach stderr
        return grade(submission, course, assignment, exercises=exercises,
                     include_hidden=include_hidden,
                     session_factory=lambda req: InProcessSession(req, namespace))


def _only(course, assignment, exercises, names):
    """A view of course whose checks_for keeps only the named checks."""
    class _View:
        spec, path = course.spec, course.path

        def assignment(self, name):
            return course.assignment(name)

        def checks_for(self, a, ex=None, include_hidden=True):
            return [c for c in course.checks_for(a, ex, include_hidden) if c.name in names]
    return _View()


_COURSES = {}


def _load_course():
    """course.yml, parsed once per file version (a test cell per check would reparse it)."""
    from grader.config import find_course_file, load_course
    path = Path(find_course_file()).resolve()
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return load_course(path)  # its error names the file
    if key not in _COURSES:
        _COURSES.clear()
        _COURSES[key] = load_course(path)
    return _COURSES[key]


def find_assignment(exercise, course):
    """The assignment that has this exercise (error if none or several)."""
    owners = [a for a, spec in course.spec.assignments.items() if exercise in spec.exercises]
    if len(owners) != 1:
        known = sorted({e for spec in course.spec.assignments.values() for e in spec.exercises})
        raise ValueError(f"no single assignment has an exercise '{exercise}'; pass "
                         f"assignment=... (exercises: {', '.join(known)})")
    return owners[0]


def check(exercise, assignment=None):
    """Run the public checks of one exercise on this notebook's definitions."""
    if _inside_grader_child():
        return None
    course = _load_course()
    assignment = assignment or find_assignment(exercise, course)
    namespace = sys._getframe(1).f_globals
    _show(run_checks(namespace, assignment, [exercise], course=course))


def check_all(assignment=None):
    """Run every public check of the assignment on this notebook's definitions."""
    if _inside_grader_child():
        return None
    course = _load_course()
    names = list(course.spec.assignments)
    if assignment is None:
        if len(names) != 1:
            raise ValueError(f"which assignment? check_all(\"...\") with one of {', '.join(names)}")
        assignment = names[0]
    namespace = sys._getframe(1).f_globals
    _show(run_checks(namespace, assignment, course=course))


def grade_check(assignment, exercise, check_name):
    """One check, hidden or not, for an nbgrader test cell: returns the points earned.

    Never raises and never writes to stderr (nbgrader would score the cell 0
    for either); the verdict and message are displayed above the value.
    """
    if _inside_grader_child():
        return None
    namespace = sys._getframe(1).f_globals
    try:
        report = run_checks(namespace, assignment, [exercise], include_hidden=True,
                            check_names=[check_name])
    except Exception as err:  # noqa: BLE001 - a broken setup must not look like a student error
        print(f"grader could not run {exercise}/{check_name}: {type(err).__name__}: {err}")
        return 0.0
    points = round(sum(c.score for c in report.checks), 6)
    # nbgrader's feedback shows this cell's output to the student: hidden checks follow
    # the course's ONE policy (reports/policy.py); under `none` the cell shows nothing.
    policy = _load_course().spec.feedback.hidden
    if policy != "none" or not any(c.hidden for c in report.checks):
        _show(student_view(report, policy if policy != "none" else "score"), show_output=False)
    return points


# ------------------------------------------------------------------ display
def _show(report, show_output=True):
    global last_report
    last_report = report
    from grader.reports import text as reporters
    text = reporters.to_text(report, show_output=show_output)
    try:
        from IPython import get_ipython
        from IPython.display import display
        in_kernel = get_ipython() is not None and hasattr(get_ipython(), "kernel")
    except ImportError:
        in_kernel = False
    if in_kernel:
        display(_Table(report, text, show_output))
    else:
        print(text)


class _Table:
    """Rich display: HTML in Jupyter, the text table elsewhere."""

    def __init__(self, report, text, show_output):
        self.report, self.text, self.show_output = report, text, show_output

    def __repr__(self):
        return self.text

    def _repr_html_(self):
        from html import escape
        r = self.report
        rows = []
        for c in r.checks:
            mark = MARK.get(c.status, c.status)
            msg = escape(c.message)  # a passed check has one only when it used much CPU
            rows.append(f"<tr><td>{escape(c.exercise)}</td><td>{escape(c.name)}"
                        f"{' (hidden)' if c.hidden else ''}</td>"
                        f"<td style='text-align:right'>{points(c.score)}/{points(c.max_score)}</td>"
                        f"<td style='color:{COLOUR.get(c.status, '#000')};font-weight:bold'>{mark}</td>"
                        f"<td style='text-align:left'>{msg}</td></tr>")
        notes = "".join(f"<li>{escape(n)}</li>" for n in r.notes)
        out = r.printed().strip() if self.show_output else ""
        return (f"<div><b>{escape(r.assignment)}: {points(r.score)} / {points(r.max_score)} points</b>"
                "<table><tr><th>exercise</th><th>check</th><th>points</th><th>status</th>"
                f"<th>message</th></tr>{''.join(rows)}</table>"
                + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
                + (f"<details><summary>your code printed</summary><pre>{escape(out[:4000])}</pre>"
                   "</details>" if out else "") + "</div>")
