"""The `grader` command line (also `python -m grader`)."""
import os
import sqlite3
import sys

import click

from grader.cli.base import (EXIT_FAILED, OUTPUT_FILE, GraderGroup, UserError,
                             check_assignments)
from grader.config import ConfigError, load_course
from grader.execution.sandbox import SandboxUnavailable
from grader.files import write_atomic
from grader.reports import text as reporters
from grader.reports.formats import EXIT_FAIL_UNDER, FORMATS, render
from grader.reports.policy import student_view


def _course(ctx, assignments=()):
    """course.yml (--course, else the nearest one), with `assignments` checked to be in it."""
    try:
        course = load_course(ctx.obj.get("course"))
    except ConfigError as err:
        raise UserError(str(err)) from None
    check_assignments(course, assignments)
    return course


def infer_assignment(course, path, given):
    """The assignment PATH is for (see config.Course.infer_assignment), as a usage error."""
    try:
        return course.infer_assignment(path, given)
    except ConfigError as err:
        raise click.UsageError(str(err)) from None


def sessions(course, require_sandbox, quiet=False):
    """The sandboxed session factory, or a clear error if --require-sandbox cannot be met;
    `quiet` for a student's self-check (no instructor warnings about the isolation)."""
    from grader.execution.session import session_factory  # numpy: not for `grader --help`
    try:
        return session_factory(course.spec.limits, require=require_sandbox, quiet=quiet)
    except SandboxUnavailable as err:
        raise click.ClickException(str(err)) from None


def probe_early(quiet=False):
    """The sandbox probe, started now in the background (sandbox.probe_in_background)."""
    from grader.execution.sandbox import probe_in_background
    probe_in_background(quiet)


def forked_sessions(course, require_sandbox):
    """Official grading's sessions: a fork server (execution.forkserver.ZygotePool, as in
    grade-all) that imports the assignment's preload once; the public child and the hidden
    one are two forks of it, each its own world (a second fresh child would import torch
    again: ~2.5 s of CPU for hw2). Warmed (matplotlib) only for a submission that imports
    it (forkserver.wants_warm). Close it when done."""
    from grader.execution.forkserver import ZygotePool
    try:
        return ZygotePool(course, require_sandbox)
    except SandboxUnavailable as err:
        raise click.ClickException(str(err)) from None


HIDDEN_FEEDBACK = click.option(
    "--hidden-feedback", type=click.Choice(["message", "score", "none"]), default=None,
    help="What students see of hidden checks (message, printed output): all of it, only "
         "their score, or nothing (default: feedback.hidden in course.yml, else score).")


def hidden_policy(ctx, given):
    """--hidden-feedback if given, else course.yml's feedback.hidden, else 'score'
    (no course.yml around: `report` converts a saved report anywhere; but a --course
    that is given must be valid)."""
    if given:
        return given
    try:
        return load_course(ctx.obj.get("course")).spec.feedback.hidden
    except ConfigError as err:
        if ctx.obj.get("course"):
            raise UserError(str(err)) from None
        return "score"


REQUIRE_SANDBOX = click.option(
    "--require-sandbox", is_flag=True, envvar="GRADER_REQUIRE_SANDBOX",
    help="Refuse to run submissions without the bubblewrap sandbox.")
ALLOW_UNSANDBOXED = click.option(
    "--allow-unsandboxed", is_flag=True, envvar="GRADER_ALLOW_UNSANDBOXED",
    help="Grade even where student code would run as your own user (no bubblewrap, no "
         "unprivileged uid): only for submissions you trust. Every report says so.")


def official(factory, course, hide=(), allow_unsandboxed=False):
    """Refuse unsandboxed official grading unless allowed; in uid mode hide our files.
    factory: anything with the run's `.sandbox` (a session_factory, a ZygotePool)."""
    from grader.execution.hiding import prepare_official
    try:
        return prepare_official(factory.sandbox, course.root, hide, allow_unsandboxed)
    except SandboxUnavailable as err:
        raise click.ClickException(str(err)) from None


@click.group(cls=GraderGroup)
@click.option("--course", type=click.Path(exists=True, dir_okay=False), envvar="GRADER_COURSE",
              help="course.yml to use (default: the nearest one above the current folder).")
@click.option("--debug", is_flag=True, envvar="GRADER_DEBUG",
              help="Print the traceback of an internal error instead of saving it to a file.")
@click.version_option(package_name="gd-autograder")
@click.pass_context
def cli(ctx, course, debug):
    """Autograder for the gradient descent / autograd / SGD course.

    Exit status of every command: 0 done, 1 failed or could not run here, 2 bad
    command line or input, 3 score below --fail-under, 130 interrupted.
    """
    ctx.ensure_object(dict).update(course=course, debug=debug)


@cli.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--assignment", "-a", help="Assignment id (inferred from the path if omitted).")
@click.option("--exercise", "-e", multiple=True, help="Only this exercise (repeatable).")
@REQUIRE_SANDBOX
@click.pass_context
def check(ctx, path, assignment, exercise, require_sandbox):
    """Self-check: run the public checks on PATH and print a table."""
    from grader.judge.grade import grade_path
    probe_early(quiet=True)
    course = _course(ctx)
    assignment = infer_assignment(course, path, assignment)
    try:
        rep = grade_path(course, path, assignment, sessions(course, require_sandbox, quiet=True),
                         exercises=list(exercise) or None, include_hidden=False)
    except ConfigError as err:
        raise UserError(str(err)) from None
    # A student reads this: no review flags (the instructor's), no hidden checks were run.
    click.echo(reporters.to_text(student_view(rep, "message")))


@cli.command("grade")
@click.argument("path", type=click.Path(exists=True))
@click.option("--assignment", "-a", help="Assignment id (inferred from the path if omitted).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              help="gradescope: results.json; junit: JUnit XML; classroom: one GitHub "
                   "Classroom runner result (JSON; its status is 'fail' only below "
                   "--fail-under).")
@click.option("--out", type=OUTPUT_FILE, help="Write the report here too.")
@click.option("--fail-under", type=float, default=None,
              help="Exit with status 3 if the score is below this (grading still ran).")
@HIDDEN_FEEDBACK
@REQUIRE_SANDBOX
@ALLOW_UNSANDBOXED
@click.pass_context
def grade_cmd(ctx, path, assignment, fmt, out, fail_under, hidden_feedback, require_sandbox,
              allow_unsandboxed):
    """Official grading of PATH with every check, public and hidden.

    Exit status: 0 grading ran (whatever the score), 1 grading could not run here,
    2 bad command line or input, 3 score below --fail-under, 130 interrupted.
    """
    import os
    probe_early()
    course = _course(ctx)
    assignment = infer_assignment(course, path, assignment)
    pool = forked_sessions(course, require_sandbox)
    try:
        # In uid mode closed to the submission: the submission, its folder (other students'
        # beside it), the results folder.
        official(pool, course, [path, os.path.dirname(os.path.abspath(path)),
                                os.path.dirname(os.path.abspath(out)) if out else None],
                 allow_unsandboxed)
        if out and os.path.lexists(out):
            os.unlink(out)  # not this grading's; written once children are dead
        rep = grade_path_with_progress(course, path, assignment, pool.session_factory(assignment))
    finally:
        pool.close()
    # The text table is the instructor's terminal: everything, unless asked otherwise.
    policy = hidden_feedback or ("message" if fmt == "text" else course.spec.feedback.hidden)
    text = render(rep, fmt, policy, fail_under)
    if out:
        write_atomic(out, text + "\n")
    click.echo(text)
    exit_for_score(rep.score, fail_under)


@cli.command("build")
@click.option("--check", "check_only", is_flag=True, help="Only report stale files; exit 1 if any.")
@click.pass_context
def build_cmd(ctx, check_only):
    """Regenerate the student stubs in assignments/ from solutions/."""
    from grader.authoring.stubs import build_stubs
    course = _course(ctx)
    stale = build_stubs(course.root, write=not check_only)
    for path in stale:
        click.echo(("stale: " if check_only else "wrote: ") + str(path))
    if check_only and stale:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--assignment", "-a", multiple=True, help="Only this assignment (repeatable).")
@click.option("--workers", "-j", type=int, default=2, show_default=True)
@click.option("--fresh", is_flag=True,
              help="Grade every case again, ignoring the cache of earlier runs (and refresh it).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.pass_context
def selftest(ctx, assignment, workers, fresh, no_cache):
    """Prove the checks have teeth: references full, stubs 0, mutants lose, alternatives full.

    A case whose files, grader code and course.yml settings did not change since an earlier
    run that met its expectation is taken from the cache (.grader/selftest.sqlite in the
    course root); after a course.yml edit only the checks it changed are graded again."""
    from grader.authoring.selftest import (CaseCache, all_cases, format_accuracy,
                                           format_headroom, format_table, headroom,
                                           run_selftest, uncaught_checks)
    from grader.bulk.gradeall import Progress
    course = _course(ctx, assignment)
    progress = Progress(len(all_cases(course, list(assignment) or None)), verb="selftest",
                        unit="cases", describe=lambda o: " ".join(dict.fromkeys([o.case.role,
                                                                     o.case.name])))

    def show(outcome):
        if not outcome.ok:
            progress.note(outcome.line())  # a failure at once; the table repeats it
        progress(outcome)
    cache = None
    if not no_cache:
        try:
            cache = CaseCache(course, reuse=not fresh)
        except (OSError, sqlite3.Error) as err:   # a read-only course checkout: grade all
            click.echo(f"grader: selftest cache unavailable ({err}); grading every case",
                       err=True)
    try:
        outcomes = run_selftest(course, list(assignment) or None, workers=workers,
                                progress=show, cache=cache)
    finally:
        progress.close()
        if cache is not None:
            cache.close()
    click.echo(format_table(outcomes))
    click.echo(format_accuracy(outcomes, course))
    click.echo(format_headroom(headroom(outcomes, course), os.getloadavg()[0]))
    if not all(o.ok for o in outcomes) or uncaught_checks(outcomes, course):
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--assignment", "-a", multiple=True, help="Only this assignment (repeatable).")
@click.option("--exercise", "-e", multiple=True, help="Only this exercise (repeatable).")
@click.option("--operator", "-o", multiple=True,
              help="Only this operator (repeatable): arith, compare, constant, negation, return, "
                   "delete, dim, loop, copy, keyword, dtype.")
@click.option("--sample", type=click.IntRange(min=1), default=None,
              help="Grade a random sample of N mutants.")
@click.option("--seed", type=int, default=0, show_default=True, help="The sample's seed.")
@click.option("--workers", "-j", type=int, default=2, show_default=True)
@click.pass_context
def mutation(ctx, assignment, exercise, operator, sample, seed, workers):
    """Generated mutants of the reference solutions: kill rate per exercise and check, survivors."""
    import time
    from grader.authoring.mutation import (EQUIVALENT_FILE, format_report, load_equivalent,
                                           mutants, run_mutants, select)
    from grader.bulk.gradeall import Progress
    course = _course(ctx, assignment)
    chosen_assignments = list(assignment) or list(course.spec.assignments)
    known = {e for a in chosen_assignments for e in course.assignment(a).exercises}
    unknown = sorted(set(exercise) - known)
    if unknown:
        raise UserError(f"no such exercise: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    found = [m for a in chosen_assignments
             for m in mutants(course, a, list(exercise) or None)
             if not operator or m.operator in operator]
    if not found:
        raise UserError("no mutants: check --assignment, --exercise and --operator")
    chosen = select(found, sample, seed)
    equivalent = load_equivalent(course.root / EQUIVALENT_FILE)
    progress = Progress(len(chosen), verb="mutation", unit="mutants",
                        describe=lambda r: r.mutant.key)
    start = time.monotonic()
    try:
        results = run_mutants(course, chosen, workers=workers, progress=progress)
    finally:
        progress.close()
    click.echo(format_report(results, course, equivalent, total=len(found)))
    click.echo(f"mutation: {len(results)} mutants graded in {time.monotonic() - start:.0f} s "
               f"with {workers} workers")


@cli.command()
@click.argument("assignment", required=False)
@click.pass_context
def kinds(ctx, assignment):
    """List every check kind: file:line, params with defaults, and the course.yml checks using it."""
    from grader.authoring.kinds import format_kinds, kind_rows
    course = _course(ctx, [assignment] if assignment else ())
    click.echo(format_kinds(kind_rows(course, [assignment] if assignment else None)))


def grade_path_with_progress(course, path, assignment, factory):
    """judge.grade_path with a progress line per check on stderr (a bar on a terminal)."""
    from grader.bulk.gradeall import Progress
    from grader.judge.grade import grade_path
    progress = Progress(len(course.checks_for(assignment)), verb="checked", unit="checks",
                        every=0, describe=_check_done)
    try:
        return grade_path(course, path, assignment, factory, progress=progress)
    finally:
        progress.close()


def _check_done(result):
    """A check's progress words; a hidden one unnamed (CI logs may be the student's)."""
    name = f"{result.exercise} (hidden)" if result.hidden else f"{result.exercise}.{result.name}"
    return f"{name}: {result.status}"


def exit_for_score(score, fail_under):
    """Exit with EXIT_FAIL_UNDER when --fail-under was given and the score is below it."""
    if fail_under is not None and score < fail_under:
        click.echo(f"score {score:g} is below --fail-under {fail_under:g}", err=True)
        sys.exit(EXIT_FAIL_UNDER)


def main():
    cli(obj={})
