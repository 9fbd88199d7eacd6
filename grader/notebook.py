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
import contextlib
import io
import signal
import sys
import threading
import time
import warnings
from dataclasses import replace
from pathlib import Path

from .isolation import ChildFault
from .submission import Submission

HIDDEN_MESSAGE = "(a hidden check: its details are not shown)"
last_report = None  # the Report of the latest check()/check_all(), for the curious


def _inside_grader_child():
    # The isolated child runs whole notebooks, check cells included; it must
    # not grade itself (that is the parent's job), so the helpers do nothing.
    return "grader.child" in sys.modules and getattr(sys.modules["grader.child"], "_STUDENT_FILES", None)


class InProcessSession:
    """A grading session whose 'submission' is a live namespace in this process.

    Same protocol as isolation.ChildSession (start/probe/stop/output); the
    probe runs `child.run_probe` on the namespace and the reply is plain
    wire data, judged by the parent-side verify exactly as in a child.
    """

    def __init__(self, load_request, namespace):
        self.load_request, self.namespace = load_request, namespace
        self.captured = io.StringIO()

    def start(self):
        from . import registry
        registry.load_assignment_checks(self.load_request["assignment"])
        return {"op": "loaded", "chunks": [], "import_s": 0.0}

    def probe(self, request, deadline):
        from . import child
        files = _cell_files(self.namespace)
        added = files - child._STUDENT_FILES
        child._STUDENT_FILES.update(added)  # so error messages point into the notebook
        timer = _Timer()
        try:
            with _captured(self.captured), _alarm(deadline, timer):
                reply = child.run_probe(request, child.Student(self.namespace))
        except _TimeLimit:  # the alarm rang just after the probe returned
            timer.fired = True
        finally:
            child._STUDENT_FILES.difference_update(added)
        if timer.fired:
            raise ChildFault("timeout", "time limit exceeded")
        err = reply.get("error") or {}
        if isinstance(err.get("message"), str):
            for name in files:
                err["message"] = err["message"].replace(f"({name} line", f"({_cell_label(name)} line")
        return reply

    def stop(self):
        pass

    def output(self):
        return self.captured.getvalue()


def _cell_files(namespace):
    """Source file names of the functions the notebook defined itself."""
    import types
    return {v.__code__.co_filename for v in list(namespace.values())
            if isinstance(v, types.FunctionType) and v.__globals__ is namespace}


def _cell_label(filename):
    """'cell In[7]' for an IPython cell file (as Jupyter's tracebacks say), else the name."""
    try:
        from IPython import get_ipython
        number = get_ipython().compile._filename_map.get(filename)
        if number is not None:
            return f"cell In[{number}]"
    except Exception:  # noqa: BLE001 - no IPython, or another version of it
        pass
    return filename


class _Timer:
    fired = False


class _TimeLimit(BaseException):
    """Raised in the probed code when the exercise's time runs out."""


@contextlib.contextmanager
def _alarm(deadline, timer):
    """Interrupt the probe at the deadline (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield timer
        return

    def on_alarm(signum, frame):
        timer.fired = True
        raise _TimeLimit("time limit exceeded")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
    try:
        yield timer
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _captured(buffer):
    """stdout, stderr and warnings of the probed code go to buffer, not the notebook."""
    with warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                buffer.write(f"{w.category.__name__}: {w.message}\n")


# ------------------------------------------------------------------ running
def run_checks(namespace, assignment, exercises=None, include_hidden=False, check_names=None,
               course=None):
    """Grade the live namespace; returns a results.Report."""
    from .grading import grade
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
        spec = course.spec

        def assignment(self, name):
            return course.assignment(name)

        def checks_for(self, a, ex=None, include_hidden=True):
            return [c for c in course.checks_for(a, ex, include_hidden) if c.name in names]
    return _View()


_COURSES = {}


def _load_course():
    """course.yml, parsed once per file version (a test cell per check would reparse it)."""
    from .config import find_course_file, load_course
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
    # nbgrader's feedback shows this cell's output to the student: a hidden check's
    # message would describe the inputs it hides, so only its verdict is shown.
    report.checks = [replace(c, message=HIDDEN_MESSAGE if c.hidden and c.message else c.message)
                     for c in report.checks]
    _show(report, show_output=False)
    return points


# ------------------------------------------------------------------ display
def _show(report, show_output=True):
    global last_report
    last_report = report
    from . import report as reporters
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
        colour = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#cf222e",
                  "timeout": "#cf222e", "missing": "#9a6700", "not_attempted": "#57606a"}
        from .report import STATUS_MARK, _num
        r = self.report
        rows = []
        for c in r.checks:
            mark = STATUS_MARK.get(c.status, c.status)
            msg = "" if c.status == "passed" else escape(c.message)
            rows.append(f"<tr><td>{escape(c.exercise)}</td><td>{escape(c.name)}"
                        f"{' (hidden)' if c.hidden else ''}</td>"
                        f"<td style='text-align:right'>{_num(c.score)}/{_num(c.max_score)}</td>"
                        f"<td style='color:{colour.get(c.status, '#000')};font-weight:bold'>{mark}</td>"
                        f"<td style='text-align:left'>{msg}</td></tr>")
        notes = "".join(f"<li>{escape(n)}</li>" for n in r.notes)
        out = r.output.strip() if self.show_output else ""
        return (f"<div><b>{escape(r.assignment)}: {_num(r.score)} / {_num(r.max_score)} points</b>"
                "<table><tr><th>exercise</th><th>check</th><th>points</th><th>status</th>"
                f"<th>message</th></tr>{''.join(rows)}</table>"
                + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
                + (f"<details><summary>your code printed</summary><pre>{escape(out[:4000])}</pre>"
                   "</details>" if out else "") + "</div>")
