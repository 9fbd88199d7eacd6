"""Reporters: a readable text table and the JSON document of `grader grade`."""
import json
import textwrap

STATUS_MARK = {"passed": "ok", "failed": "FAIL", "error": "ERROR", "timeout": "TIMEOUT",
               "missing": "MISSING", "not_attempted": "todo"}


def to_json(report):
    """The JSON document: assignment, score, max_score, checks[], notes[]."""
    return json.dumps(report.to_dict(), indent=2)


def to_text(report, width=100, show_output=True):
    """A table with one row per check, messages wrapped under their row."""
    lines = [f"{report.assignment}: {_num(report.score)} / {_num(report.max_score)} points", ""]
    lines.append(f"{'exercise':<16} {'check':<26} {'points':>11}  status")
    lines.append("-" * min(width, 72))
    for c in report.checks:
        name = c.name + (" (hidden)" if c.hidden else "")
        pts = f"{_num(c.score)}/{_num(c.max_score)}"
        lines.append(f"{c.exercise:<16} {name:<26} {pts:>11}  {STATUS_MARK.get(c.status, c.status)}")
        if c.message and c.status != "passed":
            lines += textwrap.wrap(c.message, width=width - 6, initial_indent="      ",
                                   subsequent_indent="      ")
    lines.append("-" * min(width, 72))
    for ex, (s, m) in report.by_exercise().items():
        lines.append(f"{ex:<43} {_num(s):>5}/{_num(m)}")
    if report.notes:
        lines += ["", "Notes:"] + ["  - " + n for n in report.notes]
    if show_output and report.output.strip():
        out = report.output.strip().splitlines()
        lines += ["", "Your code printed (first lines):"] + ["  | " + l for l in out[:15]]
    return "\n".join(lines)


def _num(x):
    return f"{x:g}" if float(x) != int(x) else str(int(x))
