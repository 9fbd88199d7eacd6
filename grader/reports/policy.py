"""What students see of hidden checks: ONE policy for every student-facing format.

course.yml `feedback.hidden` (or --hidden-feedback for one run):
    message  hidden checks are shown like public ones (their messages may name
             hidden inputs, and what the submission printed during them is shown)
    score    their verdict and points only: no message, no printed output
    none     not listed at all (the total still counts them)

Feedback pages, Gradescope, JUnit, Classroom and JSON all render
`student_view(report, policy)`; only the instructor's text report in a
terminal shows everything.
"""
from dataclasses import replace

from grader.judge import results as R

POLICIES = ("message", "score", "none")
HIDDEN_NOTE = "(hidden check: details are not shown)"


def visible_message(c, hidden_policy="score"):
    """A check's message as students may see it under the hidden policy."""
    if c.hidden and hidden_policy != "message":
        return "" if c.status == R.PASSED else HIDDEN_NOTE
    return c.message


def student_view(report, policy="score"):
    """A copy of `report` with hidden checks' messages and output reduced per `policy`."""
    if policy not in POLICIES:
        raise ValueError(f"hidden feedback policy must be one of {', '.join(POLICIES)}")
    if policy == "message":
        return report
    checks = [replace(c, message=visible_message(c, policy), output="") if c.hidden else c
              for c in report.checks]
    return replace(report, checks=checks)


def shown(report, policy="score"):
    """The checks a student-facing table lists under `policy`."""
    return [c for c in report.checks if not (c.hidden and policy == "none")]
