"""Grade one submission: build cases, probe in the child, verify in the parent.

    cases  = kind.cases(params, rng)           parent, from course.yml
    value  = session.probe(kind, public cases) child, untrusted
    result = kind.verify(params, cases, value) parent, trusted

Whatever the submission does, every check ends with a CheckResult.

The core is `Grading`: one submission graded check by check, in whatever
order and subset its caller asks for, with one child kept alive across
checks and restarted after a fault. Both doors use it: `grade` / `grade_path`
(the `grader` command, grade-all, selftest) run a list of checks through it;
the pytest plugin (grader/pytest_plugin.py) runs one check per test item.

Public and hidden checks never share a child. Public checks run first, in
children that never saw a hidden input; the first hidden check stops the public
child and starts the hidden ones, and nothing of the submission runs after
them (grade runs every public check first; the pytest plugin orders its items
so). Everything a hidden child says (its output, its load errors as
Report.hidden_notes, its checks' messages) follows the hidden-feedback policy
(grader/reports/policy.py). A public check run after all (a caller that asks
out of order) is marked `after_hidden` and shown like a hidden one: a child
that saw hidden inputs may have left them where a later child finds them
(the machine's /tmp in uid mode; in bwrap mode every child has its own work
dir and /tmp).

What the parent keeps of a submission is bounded whatever its processes
send: load-error notes are capped in count and bytes (limits.notes_max,
notes_kb) and de-duplicated by digest; every restart is paid by the check
whose fault caused it, and restarts after protocol faults (frames that are
not the grader's protocol) are capped at limits.protocol_faults, after which
the checks not yet run are errors.
"""
import hashlib
import os
import time
import warnings
from pathlib import Path

import numpy as np

from grader import wire
from grader.checks import hints as known_slips
from grader.checks.fail import Fail
from grader.checks.sourcescan import GradedSource
from grader.execution.cputime import Budget, cpu_note
from grader.execution.sandbox import isolation_note
from grader.execution.session import ChildFault, ChildSession, ProtocolFault
from grader.judge import results as R
from grader.judge.results import CheckResult, Report
from grader.judge.untouched import NOT_ATTEMPTED_MESSAGE, is_untouched
from grader.submission.load import SubmissionError
from grader.submission.locate import load_submission


def plan_cases(check):
    """The check's inputs from its params and seed: (to_child, everything)."""
    cases = check.kind.cases(check.params, np.random.default_rng(check.params.seed))
    public = {k: v for k, v in cases.items() if not k.startswith("_")}
    return wire.encode(public), cases


def grade(submission, course, assignment, exercises=None, include_hidden=True,
          session_factory=None, time_limits=None, only=None, decide_untouched=True):
    """Grade `submission` (a submission.Submission) and return a Report.

    Args: course: config.Course; exercises: names to grade (None = all);
    include_hidden: False for a student's self-check; session_factory:
    callable(load_request) -> session, default an isolated ChildSession;
    time_limits: {exercise or (exercise, check name): seconds}, a cap on course.yml's limits
    of that exercise's checks, or of one check (selftest's mutants); only: a set of (exercise, name): grade just
    those checks (grade-all's regrade of the checks whose course.yml settings changed);
    decide_untouched: the release's untouched stubs are decided in the parent, without a
    child (judge/untouched.py; False: run them, as selftest's stub case does).
    """
    checks = [c for c in course.checks_for(assignment, exercises, include_hidden)
              if only is None or (c.exercise, c.name) in only]
    grading = Grading(submission, course, assignment, session_factory, time_limits,
                      official=include_hidden, decide_untouched=decide_untouched)
    grading.partial = only is not None
    return _run_all(grading, checks)


NOT_GRADED_NOTE = "NOT GRADED"


def note_not_graded(report):
    """Say in the report's notes (which every format shows) which checks were not graded."""
    missing = report.not_graded()
    if missing and not any(n.startswith(NOT_GRADED_NOTE) for n in report.notes):
        names = ", ".join(f"{c.exercise}.{c.name}" for c in missing)
        report.notes.insert(0, f"{NOT_GRADED_NOTE}: {len(missing)} check(s) ({names}) could "
                               "not be graded because the grader or the machine failed (retried "
                               "once); their 0 points are not a score. Grade this submission "
                               "again.")


def course_note(course, official=True):
    """'course file: course.yml': every report names the course.yml it used, never by an
    absolute path (notes reach students; the raw report's course_file keeps the path for
    the instructor). A self-check names it relative to the current folder, so a student
    can find it (`../../course.yml` from the bundle's assignment folder)."""
    if official:
        return f"course file: {Path(course.path).name}"
    try:
        return f"course file: {Path(os.path.relpath(course.path)).as_posix()}"
    except ValueError:  # Windows: another drive
        return f"course file: {Path(course.path).name}"


def release_copy_warning(course, assignment):
    """[a warning] when official grading uses a student copy of course.yml (`release:
    public`, written by `grader release`): its hidden checks are gone, so the total is wrong."""
    if course.spec.release != "public":
        return []
    return [f"WARNING: {course.path.name} is a student release copy of course.yml (release: "
            f"public) without the hidden checks of {assignment}: this is NOT the official "
            "grade. Pass the instructor's course.yml with --course (or GRADER_COURSE)."]


def zero_report(course, assignment, message, exercises=None, include_hidden=True):
    """A recorded zero for a submission that could not be graded: every check 0, with why."""
    return _run_all(NotGraded(course, assignment, message, official=include_hidden),
                    course.checks_for(assignment, exercises, include_hidden))


def grade_path(course, path, assignment, session_factory, exercises=None, include_hidden=True,
               time_limits=None, progress=None):
    """Load the submission at `path` and grade it (arguments as for `grade`;
    progress: callable(CheckResult) after each check, e.g. the CLI's progress line).

    A submission that cannot be read gets a recorded zero with the reason, not
    an exception; a report says how the submission was isolated.
    """
    checks = course.checks_for(assignment, exercises, include_hidden)
    grading = open_grading(course, path, assignment, session_factory, time_limits,
                           official=include_hidden)
    return _run_all(grading, checks, progress)


def open_grading(course, path, assignment, session_factory, time_limits=None, official=True):
    """A Grading of the submission at `path`, or a NotGraded one saying why it cannot be read."""
    order = list(course.assignment(assignment).exercises)
    try:
        sub = load_submission(path, order, assignment, course.spec.limits)
    except SubmissionError as err:
        return NotGraded(course, assignment, str(err), official)
    grading = Grading(sub, course, assignment, session_factory, time_limits, official)
    grading.owns_submission = True
    note = isolation_note(getattr(session_factory, "isolation",
                                  getattr(session_factory, "mode", None)))
    if note and official:  # the instructor's: a self-check is the student's own code
        grading.closing_notes.append(note)
    return grading


def _run_all(grading, checks, progress=None):
    """Run `checks` public first (no child that saw a hidden input serves a public
    check); the report lists them in the order given. progress: callable(CheckResult)."""
    with grading:
        for check in sorted(checks, key=lambda c: c.hidden):  # stable: course order
            result = grading.run(check)
            if progress:
                progress(result)
        order = {(c.exercise, c.name): i for i, c in enumerate(checks)}
        grading.report.checks.sort(key=lambda r: order.get((r.exercise, r.name), len(order)))
    return grading.report


def _opening_notes(course, assignment, official):
    """The course file a report used, and a warning when official grading uses a release copy."""
    return [course_note(course, official)] + (release_copy_warning(course, assignment)
                                              if official else [])


class Grading:
    """One submission being graded, check by check: `run(check) -> CheckResult`.

    Each result is also appended to `self.report`; `close()` stops the child and
    completes the report (what the top-level code printed, closing notes). Use
    it as a context manager. Args as for `grade`; official: hidden checks may
    run (a self-check is not official). `untouched`: the submission is the release's
    stubs, code for code (judge/untouched.py): every check is decided here as not
    attempted, and no child is ever started.
    """

    def __init__(self, submission, course, assignment, session_factory=None, time_limits=None,
                 official=True, decide_untouched=True):
        spec = course.assignment(assignment)
        self.submission = submission
        self.untouched = decide_untouched and is_untouched(submission, course, assignment)
        self.caps = dict(time_limits or {})
        load_request = {"op": "load", "assignment": assignment, "preload": spec.preload,
                        "chunks": [c.to_wire() for c in submission.chunks],
                        "path": submission.path}
        factory = session_factory or (lambda req: ChildSession(req, course.spec.limits))
        self.report = Report(assignment,
                             notes=_opening_notes(course, assignment, official)
                             + list(submission.notes),
                             files=list(submission.files), course_file=str(course.path))
        self.closing_notes = []
        self.owns_submission = False
        limits = course.spec.limits
        faults = _ProtocolFaults(limits.protocol_faults)
        self.notes = Notes(self.report.notes, limits), Notes(self.report.hidden_notes, limits)
        self.public = _CheckRunner(factory, load_request, limits, faults, self.notes[0])
        self.hidden = _CheckRunner(factory, load_request, limits, faults, self.notes[1],
                                   concealed=True)
        self.closed = False
        self.partial = False   # only some checks asked for (grade's only=): no whole-file verdict

    def run(self, check):
        """Grade one check of this assignment (course.yml's config.Check) and return its
        result: a hidden check in a hidden child, a public one in a public child."""
        started = time.perf_counter()
        if self.untouched:  # what the child would say of every check of the release's stubs
            result = _result(check, 0.0, R.NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE)
            result.duration = time.perf_counter() - started
            self.report.checks.append(result)
            return result
        if check.hidden and not self.hidden.used:
            self.public.close()  # no public check is due any more: one child at a time
            # Files that could not even load fail the same way again: not a second wait.
            self.hidden.load_fault = self.public.load_fault
            self.hidden.load_output = self.public.load_output  # not repeated per check
        if not check.hidden and self.hidden.used:
            self.public.conceal(self.hidden.notes)  # a later child may find what they left
        runner = self.hidden if check.hidden else self.public
        result = runner.run_check(check, self.time_limit(check))
        result.after_hidden = not check.hidden and self.hidden.used
        result.duration = time.perf_counter() - started
        self.report.checks.append(result)
        return result

    def time_limit(self, check):
        """CPU seconds for `check`: course.yml's (the check's, else its exercise's), capped
        by time_limits' entry for the check ((exercise, name)), else for its exercise."""
        cap = self.caps.get((check.exercise, check.name),
                            self.caps.get(check.exercise, check.time_limit_s))
        return min(check.time_limit_s, cap)

    def close(self):
        """Stop the children and complete the report (idempotent); returns the Report."""
        if self.closed:
            return self.report
        self.closed = True
        try:
            self.public.close()
            self.hidden.close()
        finally:
            if self.owns_submission:  # loaded by open_grading: its unpacked zip goes too
                self.submission.close()
        report = self.report
        report.output = self.public.output()
        for notes in self.notes:
            notes.finish()
        note_not_graded(report)
        if report.checks and not self.partial and all(c.status == R.MISSING
                                                      for c in report.checks):
            report.notes.append(f"none of the functions {report.assignment} asks for is "
                                "defined: is this a submission for another assignment, or the "
                                "wrong file?")
        report.notes += self.closing_notes
        return report

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class NotGraded:
    """The Grading of a submission that cannot be graded: every check a recorded zero, with why."""

    def __init__(self, course, assignment, message, official=True):
        self.message = message
        self.report = Report(assignment, notes=[message] + _opening_notes(course, assignment,
                                                                           official),
                             course_file=str(course.path))

    def run(self, check):
        result = _result(check, 0.0, R.ERROR, "not graded: " + self.message[:500])
        self.report.checks.append(result)
        return result

    def close(self):
        return self.report

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Notes:
    """Notes from what a submission's processes said (their load errors), kept in
    `target` (a report's list) up to limits.notes_max notes and notes_kb KB of text,
    de-duplicated in constant time (a restarted child reports the same errors again);
    `finish()` says how many more there were."""

    def __init__(self, target, limits):
        self.target, self.max_count = target, limits.notes_max
        self.max_bytes = limits.notes_kb * 1024
        self.seen, self.kept, self.size, self.dropped = set(), 0, 0, 0

    def add(self, text):
        digest = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).digest()
        if digest in self.seen:
            return
        self.seen.add(digest)
        size = len(text.encode("utf-8", "replace"))
        if self.kept >= self.max_count or self.size + size > self.max_bytes:
            self.dropped += 1
            return
        self.kept, self.size = self.kept + 1, self.size + size
        self.target.append(text)

    def finish(self):
        if self.dropped:
            self.target.append(f"{self.dropped} more note(s) not shown")
            self.dropped = 0


class _ProtocolFaults:
    """Restarts after protocol faults, shared by a submission's public and hidden children:
    past `cap` the checks not yet run are errors (the student's: see ProtocolFault)."""

    def __init__(self, cap):
        self.cap, self.count = cap, 0

    def count_if(self, fault):
        if isinstance(fault, ProtocolFault):
            self.count += 1

    def exhausted(self):
        return self.count >= self.cap

    def message(self):
        return (f"not run: the submission's process broke the grader's protocol {self.count} "
                "times (something wrote to the grader's control channel), and each time it "
                "had to be restarted; the course allows that "
                f"{self.cap} time(s) per submission, so the checks after that are not run")


class _CheckRunner:
    """Keeps one child alive across checks; restarts it after a fault.

    concealed: what its children say follows the hidden policy (they serve
    hidden checks, or were started after a hidden child): what they print at
    load is kept with the check they serve next, never in Report.output, and
    their load errors go to Report.hidden_notes (`notes`). `used`: it was asked
    to run a check (a hidden runner that was: some child may have seen hidden
    inputs).
    """

    def __init__(self, factory, load_request, limits, faults, notes, concealed=False):
        self.factory, self.load_request, self.limits = factory, load_request, limits
        self.faults, self.notes, self.concealed = faults, notes, concealed
        self.session, self.load_fault, self.load_output = None, None, None
        # The graded source as the parent read it, for "how" rules (parsed on first use).
        self.source = GradedSource(load_request["chunks"])
        self.load_errors, self.used, self.pending_output = False, False, ""

    def run_check(self, check, time_limit_s):
        """Probe one check under its own budget of the exercise's time limit (CPU
        seconds, see cputime.Budget), so one runaway check costs only itself; a
        fault restarts the child. A fault of the grader's own (status
        infrastructure) is retried once in a fresh child before it is recorded."""
        self.used = True
        result = self._attempt(check, time_limit_s)
        if result.status == R.INFRASTRUCTURE:
            result = self._attempt(check, time_limit_s)
        return result

    def _attempt(self, check, time_limit_s):
        if self.session is None and self.load_fault is None and self.faults.exhausted():
            return _result(check, 0.0, R.ERROR, self.faults.message())
        fault = self._ensure_session()
        if fault is not None:
            result = _result(check, 0.0, fault.status, fault.message)
            result.output, self.pending_output = self.pending_output, ""
            return result
        return self._run_check(check, Budget.for_limit(time_limit_s, self.limits))

    def _ensure_session(self):
        if self.load_fault or self.session:
            return self.load_fault
        session = self.factory(self.load_request)
        try:
            loaded = session.start()
        except ChildFault as fault:
            self._keep_load_output(session.output())
            if fault.status == R.INFRASTRUCTURE:
                return fault  # not the submission's doing: the next check tries again
            doing = "timed out" if fault.status == "timeout" else "failed"
            self.load_fault = ChildFault(fault.status, f"Running your file(s) {doing} before any "
                                         f"check could start: {fault.message}.")
            return self.load_fault
        self.session = session
        self._keep_load_output(session.output(since=0))
        self._note_load_errors(loaded)
        return None

    def conceal(self, notes):
        """From now on what this runner's children say follows the hidden policy;
        `notes`: where their load errors go (the hidden runner's Notes)."""
        self.concealed, self.notes = True, notes

    def _keep_load_output(self, text):
        """A public child's top-level output is kept once (a restarted child prints the
        same again); a concealed child's goes with the check it serves next, unless it
        is what the public child printed."""
        if self.concealed:
            self.pending_output += "" if text == self.load_output else text
        elif self.load_output is None:
            self.load_output = text

    def _note_load_errors(self, loaded):
        for chunk in loaded.get("chunks", []):
            if chunk.get("error"):
                self.load_errors = True
                self.notes.add(f"error while running {chunk['name']}: {chunk['error']}"
                               + _went_on(chunk["name"]))

    def _run_check(self, check, budget):
        to_child, cases = plan_cases(check)
        cases["_source"] = self.source  # parent side only: never sent to the child
        request = {"op": "probe", "assignment": check.assignment, "exercise": check.exercise,
                   "kind": check.kind.name, "cases": to_child}
        session, mark = self.session, self.session.output_mark()
        try:
            reply = session.probe(request, budget)
        except ChildFault as fault:
            self.session = None  # the next check gets a fresh child
            self.faults.count_if(fault)
            message = fault.message
            if fault.status == "timeout":
                message = (f"time limit: {fault.message}. Is there a loop that never ends, "
                           "or far too many iterations?")
            result = _result(check, 0.0, fault.status, message)
        else:
            result = judge(check, cases, reply, self.load_errors)
        result.output, self.pending_output = self.pending_output + session.output(since=mark), ""
        result.cpu_s = getattr(session, "last_cpu_s", None)
        if result.status != R.TIMEOUT:  # a timeout's message already says what it used
            note = cpu_note(result.cpu_s, budget.cpu_s)
            result.message = f"{result.message} {note}".strip() if note else result.message
        return result

    def output(self):
        return self.load_output or ""

    def close(self):
        if self.session:
            self.session.stop()
            self.session = None


def _went_on(chunk_name):
    """What the grader did after a chunk raised: the rule students are told (README)."""
    if str(chunk_name).startswith(("In [", "the code cell")):  # load.CellNames
        return (". The rest of that cell was skipped and grading went on with the next cell "
                "(Jupyter's Run All stops there)")
    return ""


LOAD_ERRORS_POINTER = " Your file(s) had errors while loading: see the notes."


def judge(check, cases, reply, load_errors=False):
    """Turn a probe reply into a CheckResult with the kind's verify (parent side).
    load_errors: the child's files raised while loading (a MISSING name says where to
    look; the notes themselves stay in the report's notes)."""
    if not reply.get("ok"):
        err = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        status = err.get("status") if err.get("status") in R.STATUSES else R.ERROR
        message = str(err.get("message", "unknown error"))[:2000]
        if status == R.MISSING and load_errors:
            message += "." + LOAD_ERRORS_POINTER
        elif status == R.NOT_ATTEMPTED:
            message = NOT_ATTEMPTED_MESSAGE
        elif status == R.ERROR:
            message += error_hint(message)
        return _result(check, 0.0, status, message)
    try:
        value = wire.decode(reply.get("value"))
    except wire.WireError as err:
        return _result(check, 0.0, R.ERROR, f"the value returned could not be read: {err}")
    result = _verdict(check, cases, value)
    result.flags = review_flags(check, cases, value)
    return result


def review_flags(check, cases, value):
    """The kind's review flags for the instructor (CheckKind.flags); never points."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [str(f)[:500] for f in check.kind.flags(check.params, cases, value)][:10]
    except Exception as err:  # noqa: BLE001 - a flag must never cost a verdict
        return [f"could not compute review flags ({type(err).__name__}: {err})"[:500]]


def _verdict(check, cases, value):
    """The kind's verify on the decoded reply -> CheckResult (parent side)."""
    try:
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


def error_hint(message):
    """' Hint: ...' for well-known error messages (grader.checks.hints), or ''."""
    hint = known_slips.error_hint(message)
    return " Hint: " + hint if hint else ""


def _result(check, fraction, status, message):
    fraction = min(max(fraction, 0.0), 1.0)
    return CheckResult(exercise=check.exercise, name=check.name, max_score=check.points,
                       score=round(check.points * fraction, 6), status=status,
                       message=message, hidden=check.hidden)
