"""Benchmark: the same submissions graded on a quiet and on a loaded machine.

Grades the hw1_autograd reference (solutions/hw1_autograd) and the README's
partially right example (examples/submissions/hw1_autograd/partial.py) with the
real course.yml, first quietly, then while busy processes load the machine:
4 per core, each started in its own session (start_new_session=True) as other
users' jobs are. With the kernel's autogroup scheduling, busy processes in the
grader's own session would barely slow it and hide the problem. Each busy
process stops by itself after --load-s seconds and is killed in any case when
the benchmark ends.

Prints, per check, the score and the CPU seconds / wall seconds the check took,
quiet beside loaded, and exits 1 if any score differs. Time limits count CPU
seconds (grader/execution/cputime.py), so the scores must be equal; wall time
grows with the load.

    .venv/bin/python bench/bench_load.py [--per-core 4] [--load-s 600]
"""
import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
A = "hw1_autograd"
SUBMISSIONS = {"reference": ROOT / "solutions" / A,
               "partial.py": ROOT / "examples" / "submissions" / A / "partial.py"}
SPIN = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"


def grade_all_subs():
    """{submission: Report}, graded the way `grader grade` does (sandboxed children)."""
    from grader.config import load_course
    from grader.execution.session import session_factory
    from grader.judge.grade import grade_path
    course = load_course(ROOT / "course.yml")
    factory = session_factory(course.spec.limits)
    return {name: grade_path(course, path, A, factory) for name, path in SUBMISSIONS.items()}


def start_load(per_core, seconds):
    cores = len(os.sched_getaffinity(0))
    return [subprocess.Popen([sys.executable, "-c", SPIN, str(seconds)], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
            for _ in range(per_core * cores)]


def stop_load(procs):
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        p.wait()


def _cpu(c):
    return f"{c.cpu_s:5.1f}" if c.cpu_s is not None else "    ?"


def table(quiet, loaded):
    """Lines: per check, quiet and loaded score and CPU/wall seconds; then totals."""
    lines, same = [], True
    head = (f"{'submission':<11} {'check':<36} {'quiet pts':>9} {'cpu/wall s':>12}   "
            f"{'loaded pts':>10} {'cpu/wall s':>12}")
    lines += [head, "-" * len(head)]
    for name in SUBMISSIONS:
        for q, l in zip(quiet[name].checks, loaded[name].checks):
            mark = "" if q.score == l.score else "   <-- differs"
            same &= q.score == l.score
            lines.append(f"{name:<11} {q.exercise + '.' + q.name:<36} {q.score:>9g} "
                         f"{_cpu(q)}/{q.duration:5.1f}   {l.score:>10g} "
                         f"{_cpu(l)}/{l.duration:5.1f}{mark}")
        qs, ls = quiet[name], loaded[name]
        qw, lw = sum(c.duration for c in qs.checks), sum(c.duration for c in ls.checks)
        qc = sum(c.cpu_s or 0 for c in qs.checks)
        lc = sum(c.cpu_s or 0 for c in ls.checks)
        lines.append(f"{name:<11} {'TOTAL':<36} {qs.score:>6g}/{qs.max_score:g} "
                     f"{qc:5.1f}/{qw:5.1f}   {ls.score:>7g}/{ls.max_score:g} "
                     f"{lc:5.1f}/{lw:5.1f}")
        lines.append("")
    return lines, same


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-core", type=int, default=4)
    parser.add_argument("--load-s", type=float, default=600,
                        help="each busy process stops by itself after this many seconds")
    args = parser.parse_args()
    started = time.monotonic()
    quiet = grade_all_subs()
    load = start_load(args.per_core, args.load_s)
    try:
        time.sleep(0.5)
        loaded = grade_all_subs()
    finally:
        stop_load(load)
    lines, same = table(quiet, loaded)
    print(f"hw1_autograd: quiet, then with {len(load)} busy processes "
          f"({args.per_core} per core, each in its own session); "
          f"{time.monotonic() - started:.0f} s in all\n")
    print("\n".join(lines))
    print("scores equal: " + ("yes" if same else "NO"))
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
