"""`grader similarity FOLDER -a A`: which students' code is alike (grader/bulk/similarity.py)."""
import json
import time

import click

from grader.cli.base import OUTPUT_FILE
from grader.cli.main import _course, cli, infer_assignment
from grader.files import write_atomic


@cli.command("similarity")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--assignment", "-a", help="Assignment id (inferred from the folder if omitted).")
@click.option("--json", "json_out", type=OUTPUT_FILE,
              help="Write every pair as JSON: [{a, b, score, max_exercise, exercises}], "
                   "highest score first.")
@click.option("--out", type=OUTPUT_FILE, default="similarity.html",
              show_default=True, help="The HTML report (self-contained).")
@click.option("--top", type=int, default=25, show_default=True,
              help="Pairs shown side by side in the report.")
@click.option("--common", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="Code held by more than this share of the class (at least 3 students) "
                   "is common, not copied.")
@click.pass_context
def similarity(ctx, folder, assignment, json_out, out, top, common):
    """Compare every pair of students in FOLDER (grade-all's layouts and names; what is
    compared is what would be graded). Nothing leaves this machine."""
    from grader.bulk import similarity as sim
    from grader.reports import similarity as page
    from grader.reports.escape import plain
    course = _course(ctx)
    assignment = infer_assignment(course, folder, assignment)
    start = time.monotonic()
    try:
        students, pairs, common_keys, near_ref = sim.analyse(folder, course, assignment, share=common)
    except RuntimeError as err:
        raise click.ClickException(str(err)) from None
    problems = {s.name: s.problem for s in students if s.problem}
    cutoff = sim.common_cutoff(len(students), common)
    html = page.render(assignment, pairs, sim.details(students, pairs, common_keys, top),
                       len(students), problems, cutoff, near_ref)
    write_atomic(out, html)
    if json_out:  # every pair, one per line: 499,500 of them for 1,000 students
        lines = (json.dumps(p) for p in sim.every_pair(students, pairs))
        write_atomic(json_out, "[\n" + ",\n".join(lines) + "\n]\n")
    n_pairs = len(students) * (len(students) - 1) // 2
    click.echo(f"{len(students)} students, {n_pairs} pairs ({len(pairs)} share code) in "
               f"{time.monotonic() - start:.1f} s; report: {out}"
               + (f"; pairs: {json_out}" if json_out else ""), err=True)
    for p in pairs[:min(top, 10)]:
        if p["score"] <= 0 and p["max_exercise"] <= 0:
            break
        worst = max(p["exercises"].items(), key=lambda t: t[1], default=("", 0))
        click.echo(f"{p['score']:.2f}  {plain(p['a'])} & {plain(p['b'])}  (most alike: {worst[0]} "
                   f"{worst[1]:.2f})")
    for name, share in sorted(near_ref.items(), key=lambda t: -t[1])[:5]:
        if share >= 0.5:
            click.echo(f"{share:.2f}  {plain(name)} & the reference solution")
