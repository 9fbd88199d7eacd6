"""Benchmarks of bulk grading against nbgrader, on this machine. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_bulk.py [--n 50] [--nbgrader-n 10] [--workers N] [--skip ...]

1 machinery   N untouched release notebooks of hw1 (every stub fails at once):
              `grader grade-all` vs `nbgrader autograde`, throughput ratio (target >= 20x).
2 class       N copies of the reference notebook: grade-all wall time vs the students' own
              compute / cores (efficiency; target wall within 25% of it), ratio to nbgrader.
3 overhead    per-submission cost of isolation (fork from a zygote with torch preloaded,
              load an empty submission, tear down); a fresh `python -I` child for comparison.
4 memory      peak memory per worker (zygote + its current child) sampled during (2).

nbgrader is slow (a fresh kernel per notebook), so it grades `--nbgrader-n` of the
notebooks (the same folder when --nbgrader-n >= --n) and its throughput is per
notebook; grade-all always grades all N. The
machine may be shared: run it when it is quiet, and read the figures as of that run.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
A = "hw1_autograd"

from grader.config import load_course  # noqa: E402


def run(args, cwd, quiet=True):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("MPLBACKEND", None)
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=quiet, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{(proc.stderr or '')[-2000:]}")
    return wall


def make_course(base, course, notebooks):
    """An nbgrader course dir with submitted/<student>/hw1_autograd/hw1_autograd.ipynb."""
    import nbformat
    from grader.authoring.nbgrader_course import init_course
    init_course(base, course, [A])
    run([str(BIN / "nbgrader"), "generate_assignment", A, "--force"], base)
    for student, nb in notebooks.items():
        folder = base / "submitted" / student / A
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{A}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC\n")


def release_and_source(course, scratch):
    import nbformat
    base = scratch / "proto"
    make_course(base, course, {})
    name = f"{A}.ipynb"
    return (nbformat.read(base / "release" / A / name, as_version=4),
            nbformat.read(base / "source" / A / name, as_version=4))


def grade_all_wall(base, workers, out):
    return run([str(BIN / "grader"), "--course", str(ROOT / "course.yml"), "grade-all",
                str(base), "-a", A, "-j", str(workers), "--no-cache", "--out", str(out)], base)


def nbgrader_wall(base):
    return run([str(BIN / "nbgrader"), "autograde", A, "--force"], base)


def compare(title, course, scratch, nb, n, nbgrader_n, workers, runs, sampler=None):
    base = scratch / title
    make_course(base, course, {f"s{i:03d}": nb for i in range(n)})
    walls = []
    for _ in range(runs):
        if sampler:
            sampler.start()
        walls.append(grade_all_wall(base, workers, scratch / f"{title}.csv"))
        if sampler:
            sampler.stop()
    ours = statistics.median(walls)
    nbgrader_n = min(nbgrader_n, n)
    nb_base = base  # the same folder when nbgrader grades all of it
    if nbgrader_n < n:
        nb_base = scratch / f"{title}-nbgrader"
        make_course(nb_base, course, {f"s{i:03d}": nb for i in range(nbgrader_n)})
    theirs = nbgrader_wall(nb_base)
    ours_rate, theirs_rate = n / ours, nbgrader_n / theirs
    print(f"  grade-all   {n} notebooks, {workers} workers: median wall {ours:.2f} s over "
          f"{runs} run(s) {['%.2f' % w for w in walls]} -> {ours_rate:.2f} notebooks/s, "
          f"{1000 * ours / n:.0f} ms per notebook")
    print(f"  nbgrader    autograde {nbgrader_n} notebooks: wall {theirs:.2f} s -> "
          f"{theirs_rate:.3f} notebooks/s, {1000 * theirs / nbgrader_n:.0f} ms per notebook")
    print(f"  throughput ratio grade-all / nbgrader: {ours_rate / theirs_rate:.1f}x")
    return ours, theirs_rate


def students_compute(course, scratch, nb, reps=3):
    """Median time of one reference graded alone (one worker, warm zygote): the
    students' own compute plus our minimal overhead, per submission."""
    import nbformat
    from grader.bulk.gradeall import Item, grade_one
    from grader.execution.forkserver import ZygotePool
    path = scratch / "one" / f"{A}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    pool = ZygotePool(course)
    try:
        factory = pool.session_factory(A)
        grade_one(Item("warm", path), course, A, factory)
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            g = grade_one(Item("x", path), course, A, factory)
            times.append(time.perf_counter() - t)
        assert g.report.score == g.report.max_score, g.report.notes
    finally:
        pool.close()
    return statistics.median(times)


def overhead(course, reps=50):
    """ms per submission: fork + load an empty submission + tear down, torch preloaded."""
    from grader.execution.session import ChildSession, default_sandbox
    from grader.execution.forkserver import Zygote, ZygoteSession
    assignment = "hw2_torch" if "hw2_torch" in course.spec.assignments else A
    preload = list(course.assignment(assignment).preload)
    if "torch" not in preload:
        preload.append("torch")
    limits = course.spec.limits
    request = {"op": "load", "assignment": assignment, "preload": preload,
               "chunks": [{"name": "empty.py", "code": "x = 1\n", "first_line": 1}],
               "path": None}
    z = Zygote(assignment, preload, limits, default_sandbox(limits))
    t = time.perf_counter()
    z.start()
    zygote_start = time.perf_counter() - t
    times = []
    try:
        for _ in range(reps):
            t = time.perf_counter()
            s = ZygoteSession(z, request, limits)
            s.start()
            s.stop()
            times.append(time.perf_counter() - t)
    finally:
        z.close()
    fresh = []
    for _ in range(3):
        t = time.perf_counter()
        s = ChildSession(request, limits)
        s.start()
        s.stop()
        fresh.append(time.perf_counter() - t)
    times.sort()
    print(f"  assignment {assignment}, preload {preload}, sandbox "
          f"{z.sandbox.mode if z.sandbox else 'none'}")
    print(f"  zygote start (paid once per worker): {zygote_start:.2f} s")
    print(f"  per submission via zygote: median {1000 * statistics.median(times):.1f} ms, "
          f"p90 {1000 * times[int(0.9 * len(times))]:.1f} ms over {reps} (target < 50 ms)")
    print(f"  per submission via a fresh child (python -I + imports): median "
          f"{1000 * statistics.median(fresh):.0f} ms over 3")


class MemorySampler:
    """Peak memory per worker: each direct child of the grade-all process is one worker's
    zygote (under bwrap: bwrap -> zygote); a worker's memory is its whole subtree."""

    def __init__(self, interval=0.25):
        self.interval, self.peak_rss, self.peak_pss, self.peak_zygote = interval, 0, 0, 0
        self.thread = None

    def start(self):
        self.stop_flag = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_flag = True
        self.thread.join()

    def _loop(self):
        import psutil
        me = psutil.Process()
        while not self.stop_flag:
            for grade_all_proc in me.children():
                for worker in grade_all_proc.children():
                    rss = pss = 0
                    try:
                        procs = [worker] + worker.children(recursive=True)
                        for p in procs:
                            info = p.memory_full_info()
                            rss += info.rss
                            pss += getattr(info, "pss", info.rss)
                            if p.cmdline()[-1:] and "zygote" in " ".join(p.cmdline()):
                                self.peak_zygote = max(self.peak_zygote, info.rss)
                    except (psutil.NoSuchProcess, psutil.AccessDenied, IndexError):
                        continue
                    self.peak_rss = max(self.peak_rss, rss)
                    self.peak_pss = max(self.peak_pss, pss)
            time.sleep(self.interval)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--nbgrader-n", type=int, default=10)
    parser.add_argument("--nbgrader-ref-n", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], choices=["1", "2", "3"])
    args = parser.parse_args()
    course = load_course(ROOT / "course.yml")
    from tests.e2e.nbgrader_samples import filled
    cores = os.cpu_count()
    print(f"machine: {cores} CPUs, load average now {os.getloadavg()[0]:.2f}; "
          f"python {sys.version.split()[0]}")
    scratch = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    try:
        release, source = release_and_source(course, scratch)
        if "1" not in args.skip:
            print(f"\n(1) machinery: {args.n} untouched release notebooks of {A}")
            compare("untouched", course, scratch, release, args.n, args.nbgrader_n,
                    args.workers, args.runs)
        if "2" not in args.skip:
            reference = filled(release, source)
            print(f"\n(2) a class of correct work: {args.n} copies of the reference notebook")
            # The machine may be shared: measure the compute right before and right
            # after the class run and use their mean, with the load averages shown.
            before, load0 = students_compute(course, scratch, reference), os.getloadavg()[0]
            sampler = MemorySampler()
            wall, _ = compare("reference", course, scratch, reference, args.n,
                              args.nbgrader_ref_n, args.workers, 1, sampler)
            after, load1 = students_compute(course, scratch, reference), os.getloadavg()[0]
            compute = (before + after) / 2
            print(f"  students' compute measured before / after: {before:.2f} / {after:.2f} s "
                  f"(load average {load0:.1f} / {load1:.1f})")
            ideal = args.n * compute / min(args.workers, cores)
            print(f"  students' compute: {compute:.2f} s per notebook (one graded alone, warm "
                  f"worker) -> ideal {ideal:.1f} s on {min(args.workers, cores)} cores")
            print(f"  efficiency ideal / wall: {ideal / wall:.0%} (wall is "
                  f"{100 * (wall / ideal - 1):+.0f}% over the ideal; target within +25%)")
            print("\n(4) memory per worker, sampled every 0.25 s during (2):")
            print(f"  peak per worker (zygote + child): RSS {sampler.peak_rss / 2**20:.0f} MiB, "
                  f"PSS {sampler.peak_pss / 2**20:.0f} MiB (PSS splits pages the child shares "
                  f"with its zygote); zygote alone RSS {sampler.peak_zygote / 2**20:.0f} MiB")
        if "3" not in args.skip:
            print("\n(3) per-submission overhead of isolation, torch preloaded")
            overhead(course)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
