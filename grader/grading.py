"""Grade one submission: build cases, probe in the child, verify in the parent.

    cases  = kind.cases(params, rng)           parent, from course.yml
    value  = session.probe(kind, public cases) child, untrusted
    result = kind.verify(params, cases, value) parent, trusted

Whatever the submission does, every check ends with a CheckResult.
"""
import time
import warnings
from itertools import groupby

import numpy as np

from . import results as R
from . import wire
from .feedback import Fail
from .isolation import ChildFault, ChildSession
from .results import CheckResult, Report


def plan_cases(check):
    """The check's inputs from its params and seed: (to_child, everything)."""
    cases = check.kind.cases(check.params, np.random.default_rng(check.params.seed))
    public = {k: v for k, v in cases.items() if not k.startswith("_")}
    return wire.encode(public), cases


def grade(submission, course, assignment, exercises=None, include_hidden=True,
          session_factory=None):
    """Grade `submission` (a submission.Submission) and return a Report.

    Args: course: config.Course; exercises: names to grade (None = all);
    include_hidden: False for a student's self-check; session_factory:
    callable(load_request) -> session, default an isolated ChildSession.
    """
    spec = course.assignment(assignment)
    checks = course.checks_for(assignment, exercises, include_hidden)
    load_request = {"op": "load", "assignment": assignment, "preload": spec.preload,
                    "chunks": [c.to_wire() for c in submission.chunks],
                    "path": getattr(submission, "path", None)}
    factory = session_factory or (lambda req: ChildSession(req, course.spec.limits))
    report = Report(assignment, notes=list(submission.notes))
    grader = _ExerciseRunner(factory, load_request, report)
    try:
        for exercise, group in groupby(checks, key=lambda c: c.exercise):
            grader.run_exercise(spec.exercises[exercise].time_limit_s, list(group))
    finally:
        grader.close()
    report.output = grader.output()
    if report.checks and all(c.status == R.MISSING for c in report.checks):
        report.notes.append(f"none of the functions {assignment} asks for is defined: is "
                            "this a submission for another assignment, or the wrong file?")
    return report


def zero_report(course, assignment, message, exercises=None, include_hidden=True):
    """A recorded zero for a submission that could not be read: every check 0, with why."""
    report = Report(assignment, notes=[message])
    for check in course.checks_for(assignment, exercises, include_hidden):
        report.checks.append(_result(check, 0.0, R.ERROR, "not graded: " + message[:500]))
    return report


class _ExerciseRunner:
    """Keeps one child alive across exercises; restarts it after a fault."""

    def __init__(self, factory, load_request, report):
        self.factory, self.load_request, self.report = factory, load_request, report
        self.session, self.load_fault, self.outputs = None, None, []

    def run_exercise(self, time_limit_s, checks):
        """Probe each check under its own deadline of the exercise's time limit,
        so one runaway check costs only itself; a fault restarts the child."""
        for check in checks:
            started = time.perf_counter()
            fault = self._ensure_session()
            if fault is None:
                result = self._run_check(check, time.monotonic() + time_limit_s, time_limit_s)
            else:
                result = _result(check, 0.0, fault.status, fault.message)
            result.duration = time.perf_counter() - started
            self.report.checks.append(result)

    def _ensure_session(self):
        if self.load_fault or self.session:
            return self.load_fault
        session = self.factory(self.load_request)
        try:
            loaded = session.start()
        except ChildFault as fault:
            self.outputs.append(session.output())
            doing = "timed out" if fault.status == "timeout" else "failed"
            self.load_fault = ChildFault(fault.status, f"Running your file(s) {doing} before any "
                                         f"check could start: {fault.message}.")
            return self.load_fault
        self.session = session
        self._note_load_errors(loaded)
        return None

    def _note_load_errors(self, loaded):
        for chunk in loaded.get("chunks", []):
            note = f"error while running {chunk['name']}: {chunk.get('error')}"
            if chunk.get("error") and note not in self.report.notes:  # restarts load again
                self.report.notes.append(note)

    def _run_check(self, check, deadline, time_limit_s):
        to_child, cases = plan_cases(check)
        request = {"op": "probe", "assignment": check.assignment, "exercise": check.exercise,
                   "kind": check.kind.name, "cases": to_child}
        try:
            reply = self.session.probe(request, deadline)
        except ChildFault as fault:
            self.outputs.append(self.session.output())
            self.session = None  # the next check gets a fresh child
            message = fault.message
            if fault.status == "timeout":
                message = (f"this check's time limit of {time_limit_s:g} s ran out; is there a "
                           "loop that never ends, or far too many iterations?")
            return _result(check, 0.0, fault.status, message)
        return judge(check, cases, reply, self.report.notes)

    def output(self):
        return "".join(self.outputs)

    def close(self):
        if self.session:
            self.session.stop()
            self.outputs.append(self.session.output())
            self.session = None


def judge(check, cases, reply, notes=()):
    """Turn a probe reply into a CheckResult with the kind's verify (parent side)."""
    if not reply.get("ok"):
        err = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        status = err.get("status") if err.get("status") in R.STATUSES else R.ERROR
        message = str(err.get("message", "unknown error"))[:2000]
        if status == R.MISSING and notes:
            message += ". The submission had errors while loading: " + "; ".join(notes)[:800]
        elif status == R.NOT_ATTEMPTED:
            message = "not attempted yet (the stub still raises NotImplementedError)"
        elif status == R.ERROR:
            message += error_hint(message)
        return _result(check, 0.0, status, message)
    try:
        value = wire.decode(reply.get("value"))
        # A diverged submission makes the verifier's arithmetic overflow: that is
        # the student's result, reported in the message, not a warning for stderr.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fraction = check.kind.verify(check.params, cases, value)
    except Fail as fail:
        status = R.FAILED if fail.status == "failed" else R.ERROR
        return _result(check, fail.fraction, status, fail.message)
    except wire.WireError as err:
        return _result(check, 0.0, R.ERROR, f"the value returned could not be read: {err}")
    except Exception as err:  # noqa: BLE001 - a verifier must never crash a run
        return _result(check, 0.0, R.ERROR, "the grader could not interpret what your "
                       f"function returned ({type(err).__name__}: {err})")
    fraction = 1.0 if fraction is None else float(fraction)
    return _result(check, fraction, R.PASSED if fraction >= 1 else R.FAILED,
                   "" if fraction >= 1 else "partial credit")


ERROR_HINTS = [
    ("ArrayBox", "autograd passes a traced ArrayBox through your function: use autograd.numpy "
                 "(ag_np.exp, ag_np.cos, ...) instead of math.* functions, float(...) or "
                 "in-place assignment into arrays."),
    ("Can't differentiate w.r.t. type", "autograd cannot differentiate with respect to "
                                        "integers: make inputs floats (e.g. 1.0, not 1)."),
    ("setting an array element with a sequence", "autograd cannot trace writes into an "
                                                 "array (x[i] = ...): build a new array."),
]


def error_hint(message):
    """A course-language hint for well-known error messages, or ''."""
    return next((" Hint: " + hint for needle, hint in ERROR_HINTS if needle in message), "")


def _result(check, fraction, status, message):
    fraction = min(max(fraction, 0.0), 1.0)
    return CheckResult(exercise=check.exercise, name=check.name, max_score=check.points,
                       score=round(check.points * fraction, 6), status=status,
                       message=message, hidden=check.hidden)
