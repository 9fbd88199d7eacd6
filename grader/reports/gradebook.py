"""The gradebook CSV: nbgrader's export columns first, then one column per exercise.

nbgrader's CSV exporter writes: assignment, duedate, timestamp, student_id,
last_name, first_name, email, raw_score, late_submission_penalty, score,
max_score. We write the same columns, in that order and with those names, so
spreadsheets built on `nbgrader export` keep working; per-exercise scores,
the number of checks passed and a note follow. One row per student (a roster
student who handed nothing in gets a zero row, note "no submission");
`late_submission_penalty` is the late policy's points (bulk/late.py) and
`score` = raw_score - late_submission_penalty. Every value goes through `cell`
(reports/escape.csv_cell).
"""
import csv
import io
from pathlib import Path

from grader.reports.escape import csv_cell

NBGRADER_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name",
                    "first_name", "email", "raw_score", "late_submission_penalty", "score",
                    "max_score"]


def read_roster(path):
    """{student_id: {first_name, last_name, email}} from a CSV with an id column.

    Accepts nbgrader's `db student import` format (id, first_name, last_name,
    email) or a `student_id` column instead of `id`.
    """
    roster = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            sid = (row.get("id") or row.get("student_id") or "").strip()
            if sid:
                roster[sid] = {k: (row.get(k) or "").strip()
                               for k in ("first_name", "last_name", "email")}
    return roster


def rows(graded, course, assignment, duedate="", roster=None):
    """One dict per student (sorted by id) with the gradebook's columns."""
    exercises = list(course.assignment(assignment).exercises)
    roster = roster or {}
    out = []
    for g in sorted(graded, key=lambda g: g.item.student):
        rep = g.report
        by_ex = rep.by_exercise()
        who = roster.get(g.item.student, {})
        penalty = getattr(g, "penalty", 0.0)
        row = {"assignment": assignment, "duedate": duedate, "timestamp": g.item.timestamp,
               "student_id": g.item.student, "last_name": who.get("last_name", ""),
               "first_name": who.get("first_name", ""), "email": who.get("email", ""),
               "raw_score": _num(rep.score), "late_submission_penalty": _num(penalty),
               "score": _num(max(rep.score - penalty, 0.0)), "max_score": _num(rep.max_score)}
        for ex in exercises:
            row[ex] = _num(by_ex.get(ex, (0.0, 0.0))[0])
        row["checks_passed"] = f"{sum(c.status == 'passed' for c in rep.checks)}/{len(rep.checks)}"
        row["note"] = _note(g)
        row["flags"] = review_flags(rep)
        _blank_not_graded(row, rep)
        out.append({k: cell(v) for k, v in row.items()})
    return out


def review_flags(report):
    """The checks' review flags for the instructor (CheckResult.flags), one cell:
    'linreg_bias.fit: closed form: ...; trid.minimize: ...' (at most 1000 characters)."""
    return "; ".join(f"{c.exercise}.{c.name}: {f}" for c in report.checks
                     for f in (c.flags or []))[:1000]


def _blank_not_graded(row, report):
    """Empty score cells (not zeros) where checks were not graded (grader's fault)."""
    missing = report.not_graded()
    if not missing:
        return
    for key in ("raw_score", "score", *{c.exercise for c in missing}):
        row[key] = ""
    if not row["note"]:
        row["note"] = "; ".join(report.notes)[:500]


def _note(g):
    """Why a row needs a look: not graded, several candidates, late."""
    if g.crashed or any(n == "no submission" for n in g.report.notes):
        return "; ".join(n for n in g.report.notes if not n.startswith("course file:"))[:500]
    return "; ".join(n for n in g.report.notes
                     if n.startswith(("several submissions", "late policy", "also found")))[:500]


def cell(value):
    """THE way every gradebook value reaches the CSV (reports/escape.csv_cell: not a
    spreadsheet formula, one line)."""
    return csv_cell(value)


def columns(course, assignment):
    return NBGRADER_COLUMNS + list(course.assignment(assignment).exercises) + [
        "checks_passed", "note", "flags"]


def to_csv(graded, course, assignment, duedate="", roster=None):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns(course, assignment), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(graded, course, assignment, duedate, roster))
    return buf.getvalue()


def write_csv(path, graded, course, assignment, duedate="", roster=None):
    from grader.files import write_atomic
    write_atomic(Path(path), to_csv(graded, course, assignment, duedate, roster))


def _num(x):
    return repr(float(x))
