"""Benchmark: the per-submission overhead of the pytest door against `grader grade`.

Both commands run as fresh processes from the course root, interleaved in one run
(so load on the machine hits both alike), on the same submissions:

    python -m grader grade SUB -a A --format json
    python -m pytest -p grader.pytest_plugin --submission=SUB --assignment A -q

Prints, per submission, the median wall time of each and the median of the
paired differences (pytest minus direct), and checks that both gave the same score.

Then the same comparison inside one process, as tests/e2e/test_selftest.py does it:
each assignment's reference and stub graded by `selftest.grade_case` and by
`pytest.main(["--submission=..."])` on the same fork server, alternately: what the
pytest door costs per submission when interpreter start-up is already paid.

    .venv/bin/python bench/bench_pytest.py [--runs 5]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's grader, not an installed one
SUBMISSIONS = [("hw1_autograd", "assignments/hw1_autograd", "stub"),
               ("hw1_autograd", "solutions/hw1_autograd", "reference"),
               ("hw2_torch", "assignments/hw2_torch", "stub")]


def direct(sub, assignment):
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", sub, "-a", assignment,
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)["score"]


def through_pytest(sub, assignment, autoload=True):
    env = dict(os.environ)
    if not autoload:  # only our plugin, as where nothing else is installed
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.pytest_plugin",
                               "-p", "no:cacheprovider", f"--submission={sub}", "--assignment",
                               assignment, "-q", "--grader-report", str(report)],
                              cwd=ROOT, capture_output=True, text=True, env=env)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"pytest exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return json.loads(report.read_text())["score"]


def in_process(runs):
    """[(submission, direct s, pytest s, paired overhead s)]: medians over `runs` of the
    reference and the stub of each assignment, graded in this process both ways on the
    same fork server (the server's start is paid before timing)."""
    import contextlib
    import io

    import pytest
    from grader.authoring.selftest import discover, grade_case
    from grader.config import load_course
    from grader.execution.forkserver import ZygotePool

    class ForkServer:
        def __init__(self, factory):
            self.factory = factory

        def pytest_grader_session_factory(self, config, course, assignment):
            return self.factory

    def door(case, factory):
        with contextlib.redirect_stdout(io.StringIO()):
            pytest.main(["-p", "grader.pytest_plugin", "-p", "no:cacheprovider", "-q",
                         f"--submission={case.path}", "--assignment", case.assignment],
                        [ForkServer(factory)])

    course = load_course(ROOT / "course.yml")
    pool, rows = ZygotePool(course), []
    try:
        for assignment in course.spec.assignments:
            factory = pool.session_factory(assignment)
            for case in [c for c in discover(ROOT, assignment) if c.role in ("reference", "stub")]:
                grade_case(case, course, factory)
                pairs = [(timed(grade_case, case, course, factory)[0],
                          timed(door, case, factory)[0]) for _ in range(runs)]
                rows.append((f"{assignment} {case.role}",
                             statistics.median(d for d, _ in pairs),
                             statistics.median(p for _, p in pairs),
                             statistics.median(p - d for d, p in pairs)))
    finally:
        pool.close()
    return rows


def timed(fn, *args):
    """(wall s, CPU s of the processes fn ran and waited for, fn's result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = fn(*args)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--in-process-only", action="store_true")
    args = parser.parse_args()
    print(f"{args.runs} runs each, interleaved, fresh processes; medians of wall time and of "
          "CPU time of the grading process (user + system)")
    routes = [("grader grade", direct), ("pytest", through_pytest),
              ("pytest, autoload off", lambda s, a: through_pytest(s, a, autoload=False))]
    for assignment, sub, label in [] if args.in_process_only else SUBMISSIONS:
        runs = {name: [] for name, _ in routes}
        for _ in range(args.runs):
            for name, fn in routes:
                runs[name].append(timed(fn, sub, assignment))
        scores = {r[2] for rs in runs.values() for r in rs}
        assert len(scores) == 1, (sub, scores)
        print(f"  {assignment} {label} (score {scores.pop():g})")
        base = runs["grader grade"]
        for name, _ in routes:
            wall, cpu = (statistics.median(r[i] for r in runs[name]) for i in (0, 1))
            extra = ""
            if name != "grader grade":  # medians of the paired differences
                more = [statistics.median(r[i] - b[i] for r, b in zip(runs[name], base))
                        for i in (0, 1)]
                extra = f"; overhead wall {more[0]:+.2f} s, CPU {more[1]:+.2f} s"
            print(f"    {name:<22} wall {wall:5.2f} s, CPU {cpu:5.2f} s{extra}")
    print("in one process, fork-server sessions (as the e2e selftest compares the doors)")
    for name, d, p, diff in in_process(args.runs):
        print(f"  {name:<22} grade_case {d:5.2f} s, pytest.main {p:5.2f} s, "
              f"overhead {diff:+.2f} s")


if __name__ == "__main__":
    main()
