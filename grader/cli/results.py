"""Commands that read the results database: `history`, `report-class`, `export`."""
import csv
import io
import json
from pathlib import Path

import click

from grader.cli.base import OUTPUT_FILE, UserError
from grader.cli.main import _course, cli
from grader.files import write_atomic

DB_OPTION = click.option(
    "--db", "db_path", type=click.Path(exists=True, dir_okay=False), default="gradebook.sqlite",
    show_default=True, help="The results database grade-all keeps beside its gradebook "
                            "(<out>.sqlite: gradebook.csv -> gradebook.sqlite).")


def _open(db_path):
    """The results database at db_path (it exists: click checked), or a usage error."""
    from grader.bulk.store import open_db
    try:
        return open_db(db_path)
    except RuntimeError as err:
        raise UserError(str(err)) from None


@cli.command("history")
@click.argument("student")
@click.option("--assignment", "-a", required=True, help="Assignment id.")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def history(ctx, student, assignment, db_path, fmt):
    """Every grading of STUDENT's ASSIGNMENT, oldest first, and what changed between them."""
    _course(ctx, [assignment])
    db = _open(db_path)
    rows = db.history(assignment, student)
    db.close()
    if not rows:
        raise UserError(f"no grading of {student} for {assignment} in {db_path}")
    if fmt == "json":
        click.echo(json.dumps(rows, indent=1))
        return
    click.echo(history_text(rows))


def history_text(rows):
    """Each grading on a line, and under it the checks whose score or status changed."""
    lines, before = [], None
    for n, g in enumerate(rows, 1):
        why = []
        if before is not None:
            if g["digest"] != before["digest"]:
                why.append("new files")
            if g["course_digest"] != before["course_digest"]:
                why.append("course.yml changed")
            if g["code_version"] != before["code_version"]:
                why.append("grader changed")
        lines.append(f"{n}. {g['graded_at']}  {g['score']:g}/{g['max_score']:g}  "
                     f"{g['status']}  files {g['digest'][:10]}"
                     + (f"  ({', '.join(why)})" if why else ""))
        if before is not None:
            old = {(c["exercise"], c["name"]): c for c in before["checks"]}
            for c in g["checks"]:
                o = old.get((c["exercise"], c["name"]))
                if o is None or (o["score"], o["status"]) != (c["score"], c["status"]):
                    was = f"{o['score']:g} {o['status']}" if o else "new"
                    lines.append(f"     {c['exercise']}.{c['name']}: {was} -> "
                                 f"{c['score']:g} {c['status']}")
        before = g
    return "\n".join(lines)


@cli.command("report-class")
@click.option("--assignment", "-a", required=True, help="Assignment id.")
@DB_OPTION
@click.option("--out", type=OUTPUT_FILE, default="class.html", show_default=True,
              help="The page (self-contained HTML).")
@click.option("--duedate", default="",
              help="Due date (ISO 8601, UTC if no zone) for the late list, overriding "
                   "assignments.<a>.due of course.yml.")
@click.pass_context
def report_class(ctx, assignment, db_path, out, duedate):
    """A class report from the results database: scores, checks, failures, CPU, late work."""
    from grader.reports import classpage
    course = _course(ctx, [assignment])
    db = _open(db_path)
    gradings, checks = class_data(db, course, assignment, duedate)
    db.close()
    limits = {f"{c.exercise}.{c.name}": c.time_limit_s for c in course.checks_for(assignment)}
    write_atomic(out, classpage.render(assignment, gradings, checks, limits))
    click.echo(f"{len(gradings)} students; report: {out}", err=True)


def class_data(db, course, assignment, duedate=""):
    """(gradings, check stats) of each student's newest grading, plain data for the page."""
    from grader.bulk import late
    due = late.parse_time(duedate) if duedate else course.assignment(assignment).due
    if duedate and due is None:
        raise click.BadParameter(f"{duedate!r} is not a date (ISO 8601)", param_hint="--duedate")
    gradings = []
    for g in db.latest(assignment):
        notes = [] if g["status"] == "graded" else db.report(g["id"])[0].notes
        gradings.append({"student": g["student"], "score": g["score"],
                         "max_score": g["max_score"], "status": g["status"],
                         "seconds": g["seconds"], "submitted_at": g["submitted_at"],
                         "late": _late(late, g["submitted_at"], due),
                         "why": next((n for n in notes if "could not" in n), "; ".join(notes[:1]))})
    return gradings, db.check_stats(assignment)


def _late(late, submitted_at, due):
    """Handed in after the due date (extensions and grace are the gradebook's business)."""
    when = late.parse_time(submitted_at)
    if when is None or due is None:
        return False
    from datetime import timezone
    return when > (due if due.tzinfo else due.replace(tzinfo=timezone.utc))


@cli.command("export")
@click.option("--assignment", "-a", required=True, help="Assignment id.")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["canvas"]), default="canvas",
              show_default=True)
@click.option("--out", type=OUTPUT_FILE, default=None,
              help="Where to write the CSV [default: standard output].")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False),
              help="CSV with id (or student_id), first_name, last_name, email.")
@click.option("--duedate", default="",
              help="Due date (ISO 8601, UTC if no zone) for the late policy, overriding "
                   "assignments.<a>.due of course.yml (as grade-all's --duedate).")
@click.option("--canvas-assignment-id", default="",
              help="Canvas's id of the assignment (its column is then 'Title (id)' and "
                   "Canvas updates it; without it Canvas creates a new assignment).")
@click.pass_context
def export(ctx, assignment, db_path, fmt, out, roster, duedate, canvas_assignment_id):
    """The newest score of every student, after the late policy of course.yml, as a
    gradebook import file (Canvas: Grades > Import; students are matched by SIS User ID /
    SIS Login ID, set to the student id)."""
    from grader.bulk import late
    from grader.reports.gradebook import read_roster
    course = _course(ctx, [assignment])
    try:
        policy = late.LatePolicy.from_course(course, assignment, duedate)
    except (OSError, ValueError, KeyError) as err:
        raise UserError(f"late policy: {err}") from None
    db = _open(db_path)
    latest = [dict(g) for g in db.latest(assignment)]
    db.close()
    for g in latest:   # as grade-all's gradebook: score = raw score - the late penalty
        fraction = policy.penalty_fraction(g["student"], late.parse_time(g["submitted_at"]))
        g["score"] = round(g["score"] * (1 - fraction), 6)
    text = canvas_csv(course.assignment(assignment).title, canvas_assignment_id, latest,
                      read_roster(roster) if roster else {})
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text)


def canvas_csv(title, canvas_id, latest, roster):
    """Canvas's gradebook import layout: Student, ID, SIS User ID, SIS Login ID, Section,
    then the assignment's column; a 'Points Possible' row first. A submission that was not
    graded is left blank (Canvas keeps what it has), never a zero."""
    from grader.reports.gradebook import cell
    column = f"{title} ({canvas_id})" if canvas_id else title
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
    top = max((g["max_score"] for g in latest), default=0)
    w.writerow(["Points Possible", "", "", "", "", f"{top:g}"])
    for g in latest:
        who = roster.get(g["student"], {})
        name = ", ".join(p for p in (who.get("last_name"), who.get("first_name")) if p)
        score = f"{g['score']:g}" if g["status"] == "graded" else ""
        w.writerow([cell(name or g["student"]), "", cell(g["student"]), cell(g["student"]), "",
                    score])
    return buf.getvalue()
