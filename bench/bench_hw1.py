"""Benchmark: grading the hw1_autograd reference end to end, all checks.

Prints the median wall time of `grader grade` (a fresh CLI process each run,
so interpreter start, imports and the child are included) and the median
per-exercise time from the report's check durations. Target: well under 10 s.

    .venv/bin/python bench/bench_hw1.py [--runs 5]
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run():
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", "solutions/hw1_autograd",
                           "-a", "hw1_autograd", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    doc = json.loads(proc.stdout)
    per_ex = {}
    for c in doc["checks"]:
        per_ex[c["exercise"]] = per_ex.get(c["exercise"], 0.0) + c["duration"]
    return wall, per_ex, doc["score"], doc["max_score"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    walls = [r[0] for r in runs]
    print(f"hw1_autograd reference, {args.runs} runs, score {runs[0][2]:g}/{runs[0][3]:g}")
    print(f"  end-to-end wall time: median {statistics.median(walls):.2f} s "
          f"(min {min(walls):.2f}, max {max(walls):.2f})")
    for ex in runs[0][1]:
        times = [r[1][ex] for r in runs]
        print(f"  {ex:<16} median {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
