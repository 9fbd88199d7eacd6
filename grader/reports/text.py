"""Reporters: a readable text table and the JSON document of `grader grade`."""
import json
import textwrap

from grader.reports import escape
from grader.status import MARK, points



def to_json(report):
    """The JSON document: assignment, score, max_score, checks[], notes[]."""
    return json.dumps(report.to_dict(), indent=2)


def to_text(report, width=100, show_output=True):
    """A table with one row per check, messages wrapped under their row. Made plain as a
    whole (escape.plain): a student's output, messages and notes reach a terminal, where
    an escape sequence could recolour, hide or rewrite what the instructor reads."""
    lines = [f"{report.assignment}: {points(report.score)} / {points(report.max_score)} points", ""]
    lines.append(f"{'exercise':<16} {'check':<26} {'points':>11}  status")
    lines.append("-" * min(width, 72))
    for c in report.checks:
        name = c.name + (" (hidden)" if c.hidden else "")
        pts = f"{points(c.score)}/{points(c.max_score)}"
        lines.append(f"{c.exercise:<16} {name:<26} {pts:>11}  {MARK.get(c.status, c.status)}")
        if c.message:  # a passed check has one only when it used much of its CPU limit
            lines += textwrap.wrap(c.message, width=width - 6, initial_indent="      ",
                                   subsequent_indent="      ")
        for flag in c.flags or []:  # for the instructor's review (CheckResult.flags)
            lines += textwrap.wrap(flag, width=width - 6, initial_indent="      review flag: ",
                                   subsequent_indent="      ")
    lines.append("-" * min(width, 72))
    for ex, (s, m) in report.by_exercise().items():
        lines.append(f"{ex:<43} {points(s):>5}/{points(m)}")
    if report.notes:
        lines += ["", "Notes:"] + ["  - " + n for n in report.notes]
    if show_output and report.printed().strip():
        out = report.printed().strip().splitlines()
        lines += ["", "Your code printed (first lines):"] + ["  | " + l for l in out[:15]]
    return escape.plain("\n".join(lines))

