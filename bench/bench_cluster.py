"""Benchmark: grade-all here against grade-all on a Dask LocalCluster, on the same class.

    .venv/bin/python bench/bench_cluster.py [--n 12] [--workers 2] [--assignment A] [--rounds 3]
                                            [--split]

In one run, on N copies of the reference solution (the whole assignment, every check), local
and Dask runs alternating for --rounds rounds against the drift of a shared machine's load:
1 local     grade_all with W threads (the fork-server pool): wall, worker-seconds per submission
2 dask      the same through `--cluster local:W` (W worker processes, one thread each, started
            once): grading with the automatic shard size; Dask's overhead per submission in
            worker-seconds (with --split also with shards half as large: from the two, what
            one more shard costs)
3 micro     what a shard pays once: a fork server's start (ZygotePool, the assignment's
            preloads); a no-op Dask task's round trip; packing + sha256 of one submission
Grading runs in-process through the library (the CLI adds only its start). Caching is off.
A local run's W threads share one parent process (and its GIL) for what the judge does in the
parent; W Dask workers are W processes, so Dask can come out slightly ahead on W cores.
The machine may be shared: read the figures as of that run. Prints figures; asserts nothing.
"""
import argparse
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.bulk import cluster, gradeall, shards  # noqa: E402
from grader.config import load_course  # noqa: E402


def make_class(folder, assignment, n):
    """N students, each handing in the reference solution folder."""
    src = ROOT / "solutions" / assignment
    for k in range(n):
        shutil.copytree(src, folder / f"student{k:03d}", ignore=shutil.ignore_patterns(
            "__pycache__"))
    return gradeall.find_submissions(folder, assignment)


def timed(fn):
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def check(graded, reference):
    """The cluster's scores must be the local run's (else the timing means nothing). A row
    either run could not grade (a fault of the machine, e.g. under heavy load: regraded by
    the next run, never cached) is left out of the comparison and reported."""
    for g, r in zip(graded, reference):
        if g.crashed or r.crashed:
            which = "dask" if g.crashed else "local"
            bad = g if g.crashed else r
            print(f"  note: {which} could not grade {bad.item.student}: "
                  f"{'; '.join(bad.report.notes)[:300]}")
        elif (g.item.student, g.report.score) != (r.item.student, r.report.score):
            raise SystemExit(f"cluster and local results differ: {g.item.student} "
                             f"{g.report.score} against {r.report.score}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--assignment", default="hw1_autograd")
    ap.add_argument("--rounds", type=int, default=3,
                    help="local and Dask runs alternate this many times (a shared machine's "
                         "load drifts: the overhead is the median of each round's difference)")
    ap.add_argument("--split", action="store_true", help="also shards half as large")
    args = ap.parse_args()
    n, w, a = args.n, args.workers, args.assignment
    course = load_course(ROOT / "course.yml")
    scratch = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    try:
        items = make_class(scratch / "class", a, n)
        print(f"class: {n} copies of solutions/{a}; {w} workers; "
              f"{len(course.checks_for(a))} checks each; {args.rounds} rounds")
        with ExitStack() as stack:
            t_up, (client, planned, wait_s) = timed(lambda: stack.enter_context(
                cluster.connect(f"local:{w}")))
            t_join, _ = timed(lambda: client.wait_for_workers(w, timeout=wait_s))
            auto = cluster.shard_size(n, w)
            sizes = {"auto": auto, "half": max(1, auto // 2)} if args.split else {"auto": auto}
            walls = {"local": [], **{k: [] for k in sizes}}
            shard_counts = {}
            for r in range(args.rounds):
                t, ref = timed(lambda: gradeall.grade_all(items, course, a, workers=w))
                walls["local"].append(t)
                line = [f"local {t:6.1f} s"]
                for label, size in sizes.items():
                    runner = cluster.DaskRunner(client, shard=size, planned_threads=planned,
                                                wait_s=wait_s)
                    t, graded = timed(lambda: gradeall.grade_all(items, course, a,
                                                                 runner=runner))
                    check(graded, ref)
                    walls[label].append(t)
                    shard_counts[label] = runner.shards
                    line.append(f"dask/{size} {t:6.1f} s")
                print(f"  round {r + 1}: " + ", ".join(line), flush=True)
            rt = _noop_round_trip(client)
        local = statistics.median(walls["local"])
        c = local * w / n
        print(f"1 local   grade_all -j {w}: median {local:6.1f} s wall, {n / local:5.2f} sub/s, "
              f"{c:5.2f} worker-s per submission")
        print(f"2 dask    LocalCluster({w} processes, 1 thread each) up in {t_up + t_join:.1f} s "
              "(once per run)")
        for label, size in sizes.items():
            t = statistics.median(walls[label])
            over = statistics.median(d - l for d, l in zip(walls[label], walls["local"])) * w / n
            print(f"          shard size {size:3d} ({shard_counts[label]:2d} shards, {label}): "
                  f"median {t:6.1f} s wall, {n / t:5.2f} sub/s; overhead {over:+6.3f} worker-s "
                  f"per submission ({100 * over / c:+.0f}% of {c:.2f}; median of the rounds' "
                  "differences)")
        if args.split and shard_counts["half"] > shard_counts["auto"]:
            extra = (shard_counts["half"] - shard_counts["auto"]) / w   # more shards per thread
            per_shard = statistics.median(
                h - d for h, d in zip(walls["half"], walls["auto"])) / extra
            print(f"          => one shard more costs {per_shard:+.2f} worker-s (its fork "
                  "server start, its task's round trip)")
        print(f"3 micro   fork server start (ZygotePool, {a}'s preloads): "
              f"{_zygote_start(course, a):.2f} s (median of 3)")
        print(f"          no-op Dask task round trip: {1000 * rt:.1f} ms (median of 50)")
        t_pack, (name, blob) = timed(lambda: shards.pack(items[0].path))
        t_hash, _ = timed(lambda: shards.sha256(blob))
        print(f"          pack + sha256 one submission: {1000 * (t_pack + t_hash):.1f} ms, "
              f"{len(blob) / 1024:.0f} KiB packed")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _zygote_start(course, assignment):
    from grader.execution.forkserver import ZygotePool
    times = []
    for _ in range(3):
        pool = ZygotePool(course)
        try:
            times.append(timed(lambda: pool.zygote(assignment))[0])
        finally:
            pool.close()
    return statistics.median(times)


def _noop_round_trip(client):
    times = []
    for k in range(50):
        t, _ = timed(lambda: client.submit(int, k, pure=False).result())
        times.append(t)
    return statistics.median(times)


if __name__ == "__main__":
    main()
