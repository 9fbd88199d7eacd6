"""The `grader` command line (also `python -m grader`)."""
import sys
from pathlib import Path

import click

from . import report as reporters
from .config import ConfigError, load_course
from .grading import grade
from .submission import SubmissionError, load_submission


def _course(ctx):
    try:
        return load_course(ctx.obj.get("course"))
    except ConfigError as err:
        raise click.ClickException(str(err)) from None


def infer_assignment(course, path, given):
    """The --assignment value, else an assignment id found in the path, else the only one."""
    names = list(course.spec.assignments)
    if given:
        course.assignment(given)
        return given
    for part in reversed(Path(path).resolve().parts):
        stem = Path(part).stem
        for name in names:
            if stem == name or stem.startswith(name):
                return name
    if len(names) == 1:
        return names[0]
    raise click.UsageError(f"cannot tell which assignment {path} is for; pass --assignment "
                           f"({', '.join(names)})")


NO_SANDBOX_NOTE = ("graded WITHOUT a sandbox (bubblewrap unavailable or sandbox: none): the "
                   "submission could read files and use the network")


def _sessions(course, require_sandbox):
    """The sandboxed session factory, or a clear error if --require-sandbox cannot be met."""
    from .isolation import session_factory
    from .sandbox import SandboxUnavailable
    try:
        return session_factory(course.spec.limits, require=require_sandbox)
    except SandboxUnavailable as err:
        raise click.ClickException(str(err)) from None


def grade_path(course, path, assignment, require_sandbox=False, factory=None, **kwargs):
    """Grade PATH; a submission that cannot be read gets a recorded zero, not a crash."""
    from .grading import zero_report
    factory = factory or _sessions(course, require_sandbox)
    order = list(course.assignment(assignment).exercises)
    try:
        sub = load_submission(path, order=order)
    except SubmissionError as err:
        return zero_report(course, assignment, str(err), **kwargs)
    rep = grade(sub, course, assignment, session_factory=factory, **kwargs)
    if getattr(factory, "mode", None) == "none":
        rep.notes.append(NO_SANDBOX_NOTE)
    return rep


REQUIRE_SANDBOX = click.option(
    "--require-sandbox", is_flag=True, envvar="GRADER_REQUIRE_SANDBOX",
    help="Refuse to run submissions without the bubblewrap sandbox.")


def _load(course, path, assignment):
    order = list(course.assignment(assignment).exercises)
    try:
        return load_submission(path, order=order)
    except SubmissionError as err:
        raise click.ClickException(str(err)) from None


@click.group()
@click.option("--course", type=click.Path(dir_okay=False), envvar="GRADER_COURSE",
              help="course.yml to use (default: the nearest one above the current folder).")
@click.version_option(package_name="gd-autograder")
@click.pass_context
def cli(ctx, course):
    """Autograder for the gradient descent / autograd / SGD course."""
    ctx.ensure_object(dict)["course"] = course


@cli.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--assignment", "-a", help="Assignment id (inferred from the path if omitted).")
@click.option("--exercise", "-e", multiple=True, help="Only this exercise (repeatable).")
@REQUIRE_SANDBOX
@click.pass_context
def check(ctx, path, assignment, exercise, require_sandbox):
    """Self-check: run the public checks on PATH and print a table."""
    course = _course(ctx)
    assignment = infer_assignment(course, path, assignment)
    try:
        rep = grade_path(course, path, assignment, require_sandbox,
                         exercises=list(exercise) or None, include_hidden=False)
    except ConfigError as err:
        raise click.ClickException(str(err)) from None
    click.echo(reporters.to_text(rep))


@cli.command("grade")
@click.argument("path", type=click.Path(exists=True))
@click.option("--assignment", "-a", help="Assignment id (inferred from the path if omitted).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "gradescope", "junit",
                                                   "classroom"]), default="text",
              help="gradescope: results.json; junit: JUnit XML; classroom: GitHub Classroom "
                   "reporter env lines (see cli_bulk).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the report here too.")
@click.option("--fail-under", type=float, default=None,
              help="Exit with status 3 if the score is below this (grading still ran).")
@REQUIRE_SANDBOX
@click.pass_context
def grade_cmd(ctx, path, assignment, fmt, out, fail_under, require_sandbox):
    """Official grading of PATH with every check, public and hidden.

    Exit status: 0 grading ran, 1 grading could not run, 2 bad command line,
    3 score below --fail-under.
    """
    from .cli_bulk import exit_for_score, render
    course = _course(ctx)
    assignment = infer_assignment(course, path, assignment)
    rep = grade_path(course, path, assignment, require_sandbox)
    text = render(rep, fmt, course.spec.feedback.hidden)
    if out:
        write_atomic(out, text + "\n")
    click.echo(text)
    exit_for_score(rep.score, fail_under)


@cli.command("build")
@click.option("--check", "check_only", is_flag=True, help="Only report stale files; exit 1 if any.")
@click.pass_context
def build_cmd(ctx, check_only):
    """Regenerate the student stubs in assignments/ from solutions/."""
    from .stubs import build_stubs
    course = _course(ctx)
    stale = build_stubs(course.root, write=not check_only)
    for path in stale:
        click.echo(("stale: " if check_only else "wrote: ") + str(path))
    if check_only and stale:
        sys.exit(1)


@cli.command()
@click.option("--assignment", "-a", multiple=True, help="Only this assignment (repeatable).")
@click.option("--workers", "-j", type=int, default=2, show_default=True)
@click.pass_context
def selftest(ctx, assignment, workers):
    """Prove the checks have teeth: references full, stubs 0, mutants lose, alternatives full."""
    from .selftest import format_table, run_selftest
    course = _course(ctx)
    outcomes = run_selftest(course, list(assignment) or None, workers=workers,
                            progress=lambda o: click.echo(o.line(), err=True))
    click.echo(format_table(outcomes))
    if not all(o.ok for o in outcomes):
        sys.exit(1)


def write_atomic(path, text):
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    import os
    import tempfile
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


from . import cli_bulk  # noqa: E402,F401 - registers grade-all and gradescope
from . import release  # noqa: E402,F401 - registers `grader release`


def main():
    cli(obj={})


from . import nbgrader_cli  # noqa: E402 - registers `grader nbgrader ...`
