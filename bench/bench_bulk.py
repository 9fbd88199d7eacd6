"""grade-all against nbgrader autograde, side by side in ONE run. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_bulk.py [--n 20] [--workers N] [--runs 3] [--skip 1 2 3 4 5 6]
                                         [--no-nbgrader]

Both graders grade the SAME folder of N notebooks (an nbgrader course, `submitted/`):

1 untouched   N untouched release notebooks of hw1 (nbgrader's own release): grade-all's
              wall (the whole command, median of --runs) vs `nbgrader autograde`'s; target
              >= 100x. An untouched release is decided in the parent (judge/untouched.py).
2 class       N copies of the reference notebook: grade-all vs nbgrader, and the machinery's
              share of a correct submission: grade-all's wall against the students' own
              compute divided by the cores. The students' compute is the CPU their code used
              in that very run (every check's CPU, from the results database: the cgroup's
              count of the submission's processes); target: wall within +10% of it.
3 overhead    per-submission cost of isolation (fork from a fork server with torch preloaded,
              load an empty submission, tear down); a fresh `python -I` child for comparison.
4 memory      peak memory per worker (fork server + its current child) sampled during (2).
5 profile     bench/bench_profile.py: one submission's phases, untouched and correct.
6 grade       `grader grade`'s fixed start on hw2's reference (torch), in-process as the
              command grades: one fork server, the public child then the hidden one; wall
              to the first check, and the gap between the last public check and the first
              hidden one (a second fresh child used to import torch there again).

The machine may be shared: the load average is printed with each part, and a summary
at the end puts the figures of this one run side by side.
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


NO_NBGRADER = False  # --no-nbgrader: grade-all's figures alone (a quick look, not the comparison)


def compare(title, course, scratch, nb, n, workers, runs, sampler=None):
    """Grade the same folder of `n` copies of `nb` with grade-all (`runs` times) and
    nbgrader (once); returns (grade-all median wall, nbgrader wall, grade-all's database)."""
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
    if NO_NBGRADER:
        theirs = float("nan")
    else:
        theirs = nbgrader_wall(base)
    print(f"  grade-all   {n} notebooks, {workers} workers: median wall {ours:.2f} s over "
          f"{runs} run(s) {['%.2f' % w for w in walls]}, {1000 * ours / n:.0f} ms per notebook "
          f"(load {os.getloadavg()[0]:.1f})")
    print(f"  nbgrader    autograde the same {n} notebooks: wall {theirs:.2f} s, "
          f"{1000 * theirs / n:.0f} ms per notebook")
    print(f"  grade-all is {theirs / ours:.1f}x faster")
    return ours, theirs, scratch / f"{title}.sqlite"


def students_cpu(db_path):
    """(CPU seconds the students' code used over all checks of all gradings in the
    database, gradings): the per-check cgroup counts grade-all recorded."""
    import sqlite3
    con = sqlite3.connect(db_path)
    try:
        cpu, = con.execute("SELECT COALESCE(SUM(cpu_s), 0) FROM checks").fetchone()
        count, = con.execute("SELECT COUNT(*) FROM gradings").fetchone()
    finally:
        con.close()
    return cpu, count


def cli_floor():
    """Seconds for the `grader` command to start and exit (`grader --help`)."""
    return min(run([str(BIN / "grader"), "--help"], ROOT) for _ in range(3))


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


def grade_start(course, assignment="hw2_torch"):
    """`grader grade` of the reference, as grade_cmd runs it: (wall, first check at,
    public -> hidden gap) in seconds."""
    from grader.execution.forkserver import ZygotePool
    from grader.judge.grade import grade_path
    marks = []
    started = time.perf_counter()

    def progress(result):
        marks.append((time.perf_counter() - started, result.hidden))
    pool = ZygotePool(course, warm=False)
    try:
        rep = grade_path(course, ROOT / "solutions" / assignment, assignment,
                         pool.session_factory(assignment), progress=progress)
    finally:
        pool.close()
    wall = time.perf_counter() - started
    assert rep.score == rep.max_score, rep.notes
    last_public = max(t for t, hidden in marks if not hidden)
    hidden_at = min(t for t, hidden in marks if hidden)
    print(f"  grader grade solutions/{assignment}: wall {wall:.1f} s, first check after "
          f"{marks[0][0]:.1f} s (course, probe, fork server with torch, first fork), last public "
          f"check -> first hidden {hidden_at - last_public:.2f} s (load {os.getloadavg()[0]:.1f})")
    return wall


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], choices=["1", "2", "3", "4", "5", "6"])
    parser.add_argument("--no-nbgrader", action="store_true",
                        help="skip nbgrader (its ratios then read nan)")
    args = parser.parse_args()
    global NO_NBGRADER
    NO_NBGRADER = args.no_nbgrader
    course = load_course(ROOT / "course.yml")
    from tests.e2e.nbgrader_samples import filled
    cores = os.cpu_count()
    workers = min(args.workers, cores)
    print(f"machine: {cores} CPUs, load average now {os.getloadavg()[0]:.2f}; "
          f"python {sys.version.split()[0]}; the `grader` command's own start "
          f"(`grader --help`): {cli_floor():.2f} s")
    scratch = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    summary = []
    try:
        release, source = release_and_source(course, scratch)
        if "1" not in args.skip:
            print(f"\n(1) {args.n} untouched release notebooks of {A}")
            ours, theirs, _ = compare("untouched", course, scratch, release, args.n,
                                      args.workers, args.runs)
            summary.append(f"untouched release notebooks: grade-all {ours:.2f} s, nbgrader "
                           f"{theirs:.1f} s: {theirs / ours:.1f}x (target >= 100x)")
        if "2" not in args.skip:
            reference = filled(release, source)
            print(f"\n(2) a class of correct work: {args.n} copies of the reference notebook")
            sampler = MemorySampler() if "4" not in args.skip else None
            ours, theirs, db = compare("reference", course, scratch, reference, args.n,
                                       args.workers, 1, sampler)
            cpu, graded = students_cpu(db)
            ideal = cpu / workers
            alone, load = students_compute(course, scratch, reference, reps=1), os.getloadavg()[0]
            print(f"  students' compute in that run: {cpu:.1f} CPU-s over {graded} notebooks "
                  f"({cpu / max(graded, 1):.2f} s each) / {workers} cores = {ideal:.1f} s")
            print(f"  grade-all's wall is {100 * (ours / ideal - 1):+.0f}% over it (target "
                  f"within +10%): the machinery, plus what the machine's other load took")
            print(f"  one notebook graded alone on a warm worker: {alone:.2f} s wall (load "
                  f"{load:.1f}); {args.n} of them / {workers} cores = "
                  f"{args.n * alone / workers:.1f} s")
            summary.append(f"completed solution notebooks: grade-all {ours:.1f} s, nbgrader "
                           f"{theirs:.1f} s: {theirs / ours:.1f}x")
            summary.append(f"correct hw1 work: grade-all {ours:.1f} s against the students' "
                           f"{cpu:.1f} CPU-s / {workers} cores = {ideal:.1f} s: "
                           f"{100 * (ours / ideal - 1):+.0f}% (target within +10%; the "
                           f"per-phase profile (5) says what of it is the machinery)")
            if sampler:
                print("\n(4) memory per worker, sampled every 0.25 s during (2):")
                print(f"  peak per worker (zygote + child): RSS {sampler.peak_rss / 2**20:.0f} "
                      f"MiB, PSS {sampler.peak_pss / 2**20:.0f} MiB (PSS splits pages the "
                      f"child shares with its zygote); zygote alone RSS "
                      f"{sampler.peak_zygote / 2**20:.0f} MiB")
        if "3" not in args.skip:
            print("\n(3) per-submission overhead of isolation, torch preloaded")
            overhead(course)
        if "6" not in args.skip and "hw2_torch" in course.spec.assignments:
            print("\n(6) `grader grade`'s fixed start: hw2's reference, torch", flush=True)
            grade_start(course)
        if "5" not in args.skip:
            print("\n(5) per-phase profile of one submission (bench/bench_profile.py --runs 3)",
                  flush=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / "bench_profile.py"), "--runs",
                            "3", "--floor", "10"], cwd=ROOT, check=False)
        print(f"\nsummary (one run, {cores} cores, load average now "
              f"{os.getloadavg()[0]:.1f}):")
        for line in summary:
            print("  " + line)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
