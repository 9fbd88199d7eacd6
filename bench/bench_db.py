"""Benchmark: the results database at 100,000 hw1 gradings.

Grades the hw1 reference once for real (a report with its checks, messages and plots), then
writes N gradings of it (scores and messages varied) through ResultsDB.record, as grade-all
does, one transaction each. Prints: the write cost per submission (median and p95), the
gradebook read (each student's newest grading), one student's history, the class report
(query and page), and the database's size against the JSON cache of earlier releases (its
entry for the same grading, times N: that file was rewritten whole).

    .venv/bin/python bench/bench_db.py [--n 100000]
"""
import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.bulk import gradeall, store  # noqa: E402
from grader.config import load_course  # noqa: E402

A = "hw1_autograd"


def real_grading(course, tmp):
    """One real Graded of the hw1 reference (plots included), through grade-all."""
    folder = Path(tmp) / "class" / "ref"
    folder.mkdir(parents=True)
    for f in (ROOT / "solutions" / A).glob("*.py"):
        if not f.name.startswith("_"):
            (folder / f.name).write_text(f.read_text())
    (g,) = gradeall.grade_all(gradeall.find_submissions(folder.parent, A), course, A, workers=1)
    return g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args()
    course = load_course(ROOT / "course.yml")
    with tempfile.TemporaryDirectory() as tmp:
        g = real_grading(course, tmp)
        entry = {"digest": "0" * 64, "assignment": A, "report": g.report.to_dict(),
                 "plots": g.plots, "seconds": g.seconds, "crashed": False}
        json_bytes = len(json.dumps(entry)) + len('"s000000": , ')
        db = store.open_db(Path(tmp) / "grades.sqlite")
        settings = store.check_settings(course, A)
        rng = random.Random(0)
        costs, cpu = [], []
        started = time.perf_counter()
        for i in range(args.n):
            for c in g.report.checks:   # vary what varies in a class
                ok = rng.random() < 0.8
                c.score = c.max_score if ok else 0.0
                c.status = "passed" if ok else "failed"
                c.message = "" if ok else f"expected 1.0, got {rng.random():.6f} at index {i % 7}"
                c.cpu_s = rng.uniform(0.01, 2.0)
            t, c0 = time.perf_counter(), time.process_time()
            db.record(A, f"s{i:06d}", g.report, digest=f"{i:064x}", code_version="c",
                      course_digest="y", seconds=g.seconds, plots=g.plots, settings=settings,
                      submitted_at="2026-01-01 00:00:00.000000")
            costs.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c0)
        write_total = time.perf_counter() - started
        t = time.perf_counter()
        latest = db.latest(A)
        gradebook_s = time.perf_counter() - t
        t = time.perf_counter()
        hist = db.history(A, f"s{args.n // 2:06d}")
        history_ms = 1000 * (time.perf_counter() - t)
        from grader.cli.results import class_data
        from grader.reports import classpage
        t = time.perf_counter()
        gradings, checks = class_data(db, course, A)
        query_s = time.perf_counter() - t
        limits = {f"{c.exercise}.{c.name}": 10.0 for c in course.checks_for(A)}
        t = time.perf_counter()
        html = classpage.render(A, gradings, checks, limits)
        page_s = time.perf_counter() - t
        db.close()
        size = sum(p.stat().st_size for p in Path(tmp).glob("grades.sqlite*"))
    costs.sort()
    print(f"{args.n} gradings of hw1 ({len(g.report.checks)} checks, {len(g.plots)} plots each)")
    print(f"write: {write_total:.1f} s in all; per submission median "
          f"{1000 * statistics.median(costs):.2f} ms, p95 {1000 * costs[int(0.95 * len(costs))]:.2f} "
          f"ms of wall; {1000 * statistics.mean(cpu):.2f} ms of CPU on average")
    print(f"gradebook read (newest grading of {len(latest)} students): {gradebook_s:.2f} s")
    print(f"one student's history ({len(hist)} grading): {history_ms:.1f} ms")
    print(f"class report: query {query_s:.1f} s, page {page_s:.1f} s ({len(html) / 1e3:.0f} KB)")
    print(f"database: {size / 1e6:.0f} MB ({size / args.n / 1e3:.1f} KB per grading); the JSON "
          f"cache: {json_bytes * args.n / 1e6:.0f} MB ({json_bytes / 1e3:.1f} KB per grading, "
          f"rewritten whole every 2 s); ratio {json_bytes * args.n / size:.1f}x")


if __name__ == "__main__":
    main()
