"""`grader release` (the student bundle) and `grader classroom` (the grader repository of a
GitHub Classroom workflow): grader/authoring/release.py and classroom.py build them."""
import click

from grader.authoring.release import build_release
from grader.cli.base import OUTPUT_DIR, UserError
from grader.cli.main import _course, cli
from grader.config import ConfigError


@cli.command("release")
@click.argument("assignment")
@click.option("--out", required=True, type=OUTPUT_DIR,
              help="Folder to write the student bundle to (new or empty).")
@click.pass_context
def release_cmd(ctx, assignment, out):
    """Build what students get for ASSIGNMENT: stubs, public checks, no hidden parts."""
    course = _course(ctx, [assignment])
    try:
        path = build_release(course, assignment, out)
    except ConfigError as err:
        raise UserError(str(err)) from None
    click.echo(f"wrote the student bundle of {assignment} to {path}")


@cli.command("classroom")
@click.argument("assignment")
@click.option("--out", required=True, type=OUTPUT_DIR,
              help="Folder to write the grader repository to (new or empty).")
@click.pass_context
def classroom_cmd(ctx, assignment, out):
    """Build the grader repository a GitHub Classroom workflow checks out for ASSIGNMENT:
    the grader, course.yml with its hidden checks, pinned grading requirements; no solutions."""
    from grader.authoring.classroom import build_classroom_repo
    course = _course(ctx, [assignment])
    try:
        path = build_classroom_repo(course, assignment, out)
    except ConfigError as err:
        raise UserError(str(err)) from None
    click.echo(f"wrote the grader repository of {assignment} to {path}; push it to the "
               "repository GRADER_REPO names in the workflow (keep it private)")
