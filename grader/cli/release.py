"""`grader release`: the student bundle (grader/authoring/release.py builds it)."""
import click

from grader.authoring.release import build_release
from grader.cli.main import _course, cli
from grader.config import ConfigError


@cli.command("release")
@click.argument("assignment")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder to write the student bundle to (new or empty).")
@click.pass_context
def release_cmd(ctx, assignment, out):
    """Build what students get for ASSIGNMENT: stubs, public checks, no hidden parts."""
    course = _course(ctx)
    try:
        path = build_release(course, assignment, out)
    except ConfigError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"wrote the student bundle of {assignment} to {path}")
