"""`grader nbgrader init DIR`."""

import click

from grader.cli.base import OUTPUT_DIR, UserError
from grader.cli.main import _course, cli


@cli.group("nbgrader")
def nbgrader_group():
    """Work with nbgrader: set up a course directory for it."""


@nbgrader_group.command("init")
@click.argument("directory", type=OUTPUT_DIR)
@click.option("--assignment", "-a", multiple=True, help="Only this assignment (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite existing files (the gradebook is kept).")
@click.pass_context
def init_cmd(ctx, directory, assignment, force):
    """Write an nbgrader course directory: config, course.yml, source/<a>/<a>.ipynb."""
    from grader.authoring.nbgrader_course import init_course
    course = _course(ctx, assignment)
    try:
        written = init_course(directory, course, list(assignment) or None, force=force)
    except FileExistsError as err:
        raise UserError(str(err)) from None
    for path in written:
        click.echo(f"wrote: {path}")
    click.echo("next: cd into it, then `nbgrader generate_assignment <assignment>`")
