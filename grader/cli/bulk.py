"""Commands for grading many submissions and for CI: `grade-all`, `gradescope`, `report`.

Exit codes: grader/cli/base.py (0 grading ran, whatever the scores; 1 could not run
here; 2 bad command line or input; 3 below --fail-under; 130 interrupted).
"""
import time
from pathlib import Path

import click

from grader.cli.base import OUTPUT_DIR, OUTPUT_FILE, Interrupted, UserError
from grader.cli.main import (ALLOW_UNSANDBOXED, HIDDEN_FEEDBACK, _course, cli, exit_for_score,
                             hidden_policy, infer_assignment)
from grader.files import write_atomic
from grader.reports.formats import FORMATS, render

@cli.command("grade-all")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--assignment", "-a", help="Assignment id (inferred from the folder if omitted).")
@click.option("--workers", "-j", type=int, default=None,
              help="Submissions graded in parallel [default: number of CPUs].")
@click.option("--out", type=OUTPUT_FILE, default="gradebook.csv",
              show_default=True, help="Gradebook CSV (nbgrader's export columns first).")
@click.option("--feedback", type=OUTPUT_DIR,
              help="Write feedback/<student>.html and .md here.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="json: also write <out>.json with every report.")
@click.option("--duedate", default="",
              help="Due date (ISO 8601, UTC if no zone) overriding assignments.<a>.due of "
                   "course.yml for the late policy and the gradebook's duedate column.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False),
              help="CSV with id (or student_id), first_name, last_name, email.")
@click.option("--no-cache", is_flag=True,
              help="Regrade everything (every grading is still recorded in the database).")
@click.option("--db", "db_path", type=OUTPUT_FILE,
              help="The results database [default: beside --out, gradebook.csv -> "
                   "gradebook.sqlite]: every grading, kept; the cache is a query of it.")
@HIDDEN_FEEDBACK
@click.option("--require-sandbox", is_flag=True, envvar="GRADER_REQUIRE_SANDBOX",
              help="Refuse to run submissions without the bubblewrap sandbox "
                   "(with --cluster: on every worker).")
@ALLOW_UNSANDBOXED
@click.option("--cluster", metavar="ADDRESS",
              help="Grade on a Dask cluster: tcp://host:port of a running scheduler, "
                   "local[:N] (N worker processes here), or a cluster's name in the clusters "
                   "file (README: More than one machine). -j does not apply.")
@click.option("--shard-size", type=click.IntRange(min=1), default=None,
              help="With --cluster: submissions per Dask task [default: from the class size "
                   "and the number of worker threads].")
@click.option("--cluster-config", type=click.Path(exists=True, dir_okay=False),
              help="With --cluster NAME: the clusters file [default: $GRADER_CLUSTERS, else "
                   "clusters.yml next to course.yml].")
@click.pass_context
def grade_all_cmd(ctx, folder, assignment, workers, out, feedback, fmt, duedate, roster,
                  no_cache, db_path, hidden_feedback, require_sandbox, allow_unsandboxed, cluster,
                  shard_size, cluster_config):
    """Grade every submission in FOLDER in parallel and write a gradebook.

    FOLDER may be an nbgrader course's submitted/ (or the course root), a folder
    of per-student folders, or a folder of <student>.py / .ipynb / .zip files.
    Every grading is kept in the results database (<out>.sqlite, or --db); re-running
    skips submissions whose files and grader code are unchanged, and after a course.yml
    edit regrades only the checks whose settings changed.

    Exit status: 0 grading ran (a submission that could not be graded is a
    recorded zero with the reason), 1 grading could not run, 2 bad command line.
    """
    from grader.bulk import gradeall, late
    from grader.execution.sandbox import SandboxUnavailable
    from grader.reports import gradebook
    from grader.reports.pages import write_feedback
    from grader.config import ConfigError
    course = _course(ctx)
    try:
        assignment = infer_assignment(course, folder, assignment)
    except ConfigError as err:
        raise UserError(str(err)) from None
    items = gradeall.find_submissions(folder, assignment)
    if not items:
        raise UserError(f"no submissions for {assignment} found in {folder}")
    out = Path(out)
    cache_path = Path(db_path) if db_path else out.with_suffix(".sqlite")
    who = gradebook.read_roster(roster) if roster else None
    click.echo(f"grading {len(items)} submissions of {assignment} " + (
        f"on the Dask cluster {cluster}" if cluster else f"with {workers or 'all'} workers"),
        err=True)
    progress = gradeall.Progress(len(items))
    started = time.monotonic()
    try:
        with _runner(cluster, course, progress, shard_size, require_sandbox,
                     allow_unsandboxed, cluster_config) as (runner, counted):
            graded = gradeall.grade_all(
                items, course, assignment, workers=workers, cache_path=cache_path,
                reuse=not no_cache,
                progress=counted, require_sandbox=require_sandbox, runner=runner,
                official={"allow_unsandboxed": allow_unsandboxed,
                          "hide": [folder, str(out.resolve().parent), feedback]})
    except gradeall.Interrupted as stop:  # Ctrl-C: finished ones are in the cache
        raise Interrupted(f"{stop}; no gradebook written") from None
    except (SandboxUnavailable, _cluster_error(cluster)) as err:  # could not run here: exit 1
        raise click.ClickException(str(err)) from None
    finally:
        progress.close()
    wall = time.monotonic() - started
    graded += gradeall.missing_from_roster(graded, who, course, assignment)
    try:
        policy = late.LatePolicy.from_course(course, assignment, duedate)
    except (OSError, ValueError, KeyError) as err:
        raise UserError(f"late policy: {err}") from None
    late.apply(graded, policy)
    gradebook.write_csv(out, graded, course, assignment, late.nbgrader_time(policy.due), who)
    if fmt == "json":
        import json
        write_atomic(out.with_suffix(".json"), json.dumps(
            [{"student_id": g.item.student, **g.report.to_dict()} for g in graded], indent=1))
    if feedback:
        write_feedback(feedback, graded, hidden_policy(ctx, hidden_feedback))
    click.echo(gradeall.summary(graded, wall), err=True)
    click.echo(f"gradebook: {out}; results database: {cache_path}"
               + (f"; feedback: {feedback}/" if feedback else ""), err=True)


def _cluster_error(cluster):
    """bulk.cluster.ClusterError with --cluster; else none (Dask's modules not imported)."""
    if not cluster:
        return _NeverRaised
    from grader.bulk.cluster import ClusterError
    return ClusterError


class _NeverRaised(Exception):
    """Raised by nothing: the except clause's stand-in for ClusterError without --cluster."""


def _runner(cluster, course, progress, shard_size, require_sandbox, allow_unsandboxed,
            cluster_config):
    """(runner, progress) for grade_all: this machine's pool, or a Dask cluster's."""
    if not cluster:
        from contextlib import nullcontext
        return nullcontext((None, progress))
    from grader.bulk.cluster import runner_for
    return runner_for(cluster, course, progress, shard_size, require_sandbox, cluster_config,
                      allow_unsandboxed=allow_unsandboxed,
                      log=lambda text: click.echo(text, err=True))


@cli.command("gradescope")
@click.argument("assignment")
@click.option("--out", type=OUTPUT_FILE, default="autograder.zip", show_default=True)
@click.option("--allow-unsandboxed", is_flag=True,
              help="Let run_autograder grade where student code would run as root (no "
                   "bubblewrap and no unprivileged uid): only for trusted submissions.")
@click.pass_context
def gradescope_cmd(ctx, assignment, out, allow_unsandboxed):
    """Build a Gradescope autograder zip (setup.sh, run_autograder, grader, course.yml)."""
    from grader.authoring.gradescope import build_autograder_zip
    course = _course(ctx, [assignment])
    names = build_autograder_zip(course, assignment, out, allow_unsandboxed=allow_unsandboxed)
    click.echo(f"wrote {out} ({len(names)} files)")


@cli.command("report")
@click.argument("report_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text")
@click.option("--out", type=OUTPUT_FILE, help="Write it here too.")
@HIDDEN_FEEDBACK
@click.option("--fail-under", type=float, default=None,
              help="Exit with status 3 if the score is below this.")
@click.pass_context
def report_cmd(ctx, report_json, fmt, out, hidden_feedback, fail_under):
    """Convert a saved `grade --format json` report to another format (no regrading)."""
    import json
    from grader.judge.results import Report
    try:
        rep = Report.from_dict(json.loads(Path(report_json).read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as err:
        raise UserError(f"{report_json}: not a grader JSON report ({err})") from None
    text = render(rep, fmt, hidden_policy(ctx, hidden_feedback), fail_under)
    if out:
        write_atomic(out, text + "\n")
    click.echo(text)
    exit_for_score(rep.score, fail_under)
