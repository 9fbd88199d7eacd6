"""Benchmark: the per-submission overhead of the pytest door against `grader grade`.

Both commands run as fresh processes from the course root, interleaved in one run
(so load on the machine hits both alike), on the same submissions:

    python -m grader grade SUB -a A --format json
    python -m pytest -p grader.pytest_plugin --submission=SUB --assignment A -q

Prints, per submission, the median wall time of each and the median of the
paired differences (pytest minus direct), and checks that both gave the same score.

    .venv/bin/python bench/bench_pytest.py [--runs 5]
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = [("hw1_autograd", "assignments/hw1_autograd", "stub"),
               ("hw1_autograd", "solutions/hw1_autograd", "reference"),
               ("hw2_torch", "solutions/hw2_torch", "reference")]


def direct(sub, assignment):
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", sub, "-a", assignment,
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)["score"]


def through_pytest(sub, assignment):
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.pytest_plugin",
                               "-p", "no:cacheprovider", f"--submission={sub}", "--assignment",
                               assignment, "-q", "--grader-report", str(report)],
                              cwd=ROOT, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"pytest exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return json.loads(report.read_text())["score"]


def timed(fn, *args):
    started = time.perf_counter()
    score = fn(*args)
    return time.perf_counter() - started, score


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.runs} runs each, interleaved; wall time per submission, fresh processes")
    for assignment, sub, label in SUBMISSIONS:
        pairs = []
        for _ in range(args.runs):
            d, d_score = timed(direct, sub, assignment)
            p, p_score = timed(through_pytest, sub, assignment)
            assert d_score == p_score, (sub, d_score, p_score)
            pairs.append((d, p))
        med_d = statistics.median(d for d, _ in pairs)
        med_p = statistics.median(p for _, p in pairs)
        diff = statistics.median(p - d for d, p in pairs)
        print(f"  {assignment} {label:<9} score {d_score:g}: grader grade {med_d:5.2f} s, "
              f"pytest {med_p:5.2f} s, overhead {diff:+.2f} s ({diff / med_d:+.0%})")


if __name__ == "__main__":
    main()
