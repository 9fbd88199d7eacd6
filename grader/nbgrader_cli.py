"""`grader nbgrader init DIR` (and a minimal `grader grade-all` if none is registered)."""
import sys

import click

from .cli import _course, cli


@cli.group("nbgrader")
def nbgrader_group():
    """Work with nbgrader: set up a course directory for it."""


@nbgrader_group.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--assignment", "-a", multiple=True, help="Only this assignment (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite existing files (the gradebook is kept).")
@click.pass_context
def init_cmd(ctx, directory, assignment, force):
    """Write an nbgrader course directory: config, course.yml, source/<a>/<a>.ipynb."""
    from .nbgrader_course import init_course
    course = _course(ctx)
    try:
        written = init_course(directory, course, list(assignment) or None, force=force)
    except FileExistsError as err:
        raise click.ClickException(str(err)) from None
    for path in written:
        click.echo(f"wrote: {path}")
    click.echo("next: cd into it, then `nbgrader generate_assignment <assignment>`")


def _grade_all_minimal(ctx, folder, assignment, out):
    """Grade every submission under FOLDER one by one (nbgrader's submitted/ layout too)."""
    from .bulk import grade_all, to_csv
    from .cli import infer_assignment, write_atomic
    course = _course(ctx)
    assignment = infer_assignment(course, folder, assignment)
    rows = grade_all(folder, course, assignment,
                     progress=lambda r: click.echo(f"{r['student']}: {r['score']:g}/{r['max_score']:g}",
                                                   err=True))
    text = to_csv(rows)
    if out:
        write_atomic(out, text)
    else:
        sys.stdout.write(text)


def register_fallbacks():
    """`grade-all` from bulk.py unless the bulk-grading module already registered one."""
    if "grade-all" in cli.commands:
        return
    cmd = click.command("grade-all")(click.pass_context(_grade_all_minimal))
    cmd = click.option("--out", type=click.Path(dir_okay=False), help="Write the CSV here.")(cmd)
    cmd = click.option("--assignment", "-a", help="Assignment id.")(cmd)
    cmd = click.argument("folder", type=click.Path(exists=True, file_okay=False))(cmd)
    cli.add_command(cmd)
