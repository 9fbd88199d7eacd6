"""What students see of hidden checks: ONE policy for every student-facing format.

course.yml `feedback.hidden` (or --hidden-feedback for one run):
    message  hidden checks are shown like public ones (their messages may name
             hidden inputs, and what the submission printed during them is shown)
    score    their verdict and points only: no message, no printed output
    none     not listed at all (the total still counts them)

The rule covers everything a child that saw hidden inputs said, not only the
hidden checks' messages: what it printed (at load too), its load errors
(Report.hidden_notes), how long it took (a child can time itself to spell
out its inputs), and any public check run after a hidden child had started
(CheckResult.after_hidden). Under `score` and `none` none of it is shown.

Feedback pages, Gradescope, JUnit, Classroom and JSON all render
`student_view(report, policy)`; only the instructor's text report in a
terminal shows everything. Every view names the course file by its name.
"""
from dataclasses import replace
from pathlib import PurePath

from grader.judge import results as R

POLICIES = ("message", "score", "none")
HIDDEN_NOTE = "(hidden check: details are not shown)"
AFTER_HIDDEN_NOTE = "(ran after the hidden checks: details are not shown)"


def concealed(c):
    """Does what `c` says follow the hidden policy? (a hidden check, or a public one run
    after a hidden child had started)"""
    return c.hidden or getattr(c, "after_hidden", False)


def visible_message(c, hidden_policy="score"):
    """A check's message as students may see it under the hidden policy."""
    if concealed(c) and hidden_policy != "message":
        if c.status == R.PASSED:
            return ""
        return HIDDEN_NOTE if c.hidden else AFTER_HIDDEN_NOTE
    return c.message


def student_view(report, policy="score"):
    """A copy of `report` with what children that saw hidden inputs said reduced per
    `policy`: concealed checks' messages, output and durations; hidden children's notes
    (joined to the notes, marked, under `message`); review flags always removed."""
    if policy not in POLICIES:
        raise ValueError(f"hidden feedback policy must be one of {', '.join(POLICIES)}")
    course_file = PurePath(report.course_file).name if report.course_file else ""
    # Review flags are the instructor's (they may quote a hidden start point): never shown.
    unflagged = [replace(c, flags=[]) if c.flags else c for c in report.checks]
    if policy == "message":
        notes = list(report.notes) + [R.HIDDEN_NOTES_PREFIX + n for n in report.hidden_notes]
        return replace(report, checks=unflagged, notes=notes, hidden_notes=[],
                       course_file=course_file)
    checks = [replace(c, message=visible_message(c, policy), output="", duration=0.0)
              if concealed(c) else c for c in unflagged]
    return replace(report, checks=checks, hidden_notes=[], course_file=course_file)


def shown(report, policy="score"):
    """The checks a student-facing table lists under `policy`."""
    return [c for c in report.checks if not (c.hidden and policy == "none")]
