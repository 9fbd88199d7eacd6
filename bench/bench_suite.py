"""Where `make test`'s time goes: the suite as `make test` runs it, with the machine's CPU
counted around it. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_suite.py [--workers 2] [--serial] [-- PYTEST ARGS...]

- wall, and the CPU the whole machine was busy and idle over the run (/proc/stat): when
  idle is small the suite is CPU-bound, and busy CPU-s / cores is the floor of its wall
  however its tests are scheduled (more xdist workers than cores do not help then).
- pytest's --durations summed per scheduling group (tests/conftest.py xdist_group: a file,
  the selftest's assignments apart), the costliest first, against GROUP_SECONDS.
- With root and `accton` (Debian's acct): every process's CPU from the kernel's process
  accounting, split into python processes forked without exec (the fork servers' children:
  the students' code being graded, with its child runtime) and the rest (pytest workers,
  grader commands, fresh children, kernels, pip, bubblewrap), by command name.

- The machine's speed before and after: one core's time for a fixed pure-Python loop
  (SPEED_LOOP). These virtual machines' speed drifts (seen: 2.45 and 3.59 s for the same
  loop an hour apart, on one quiet machine), so compare runs by their CPU-s at a speed,
  never by two walls taken hours apart.
- --serial: the suite without xdist, with bench/cpu_per_test.py charging each test the
  whole machine's CPU over it (every process it started, which --durations and rusage
  miss); the costliest tests and files by CPU. Slower (one worker), but exact: CPU, not
  wall, is what a 2-core run is short of.

Run it on a quiet machine: other jobs' CPU counts as busy.
"""
import json
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from tests.conftest import GROUP_SECONDS, xdist_group  # noqa: E402
from cpu_per_test import TICKS, cpu_ticks  # noqa: E402 - also the plugin of --serial

DURATION = re.compile(r"^([\d.]+)s (?:setup|call|teardown)\s+(\S+)")


SPEED_LOOP = 10_000_000


def speed_seconds():
    """CPU seconds one core takes for SPEED_LOOP iterations of a pure-Python loop (the
    best of three): the machine's speed now."""
    best = float("inf")
    for _ in range(3):
        started, total = time.process_time(), 0
        for i in range(SPEED_LOOP):
            total += i * i
        best = min(best, time.process_time() - started)
    return best


def run_suite(workers, extra, log, per_test=None):
    """Run the suite (workers 0: without xdist; per_test: a file for cpu_per_test.py's
    rows); (exit status, wall s, busy CPU-s, idle CPU-s)."""
    xdist = ["-n", str(workers), "--dist", "loadfile"] if workers else ["-p", "no:xdist"]
    args = [sys.executable, "-m", "pytest", *xdist, "--durations=0", "-q",
            "-p", "no:cacheprovider", *extra]
    env = dict(os.environ)
    if per_test:
        args += ["-p", "cpu_per_test"]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "bench"),
                                                          env.get("PYTHONPATH")]))
        env["CPU_PER_TEST_OUT"] = str(per_test)
    busy0, idle0 = cpu_ticks()
    started = time.perf_counter()
    with open(log, "w") as out:
        status = subprocess.run(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env=env).returncode
    wall = time.perf_counter() - started
    busy1, idle1 = cpu_ticks()
    return status, wall, (busy1 - busy0) / TICKS, (idle1 - idle0) / TICKS


def group_seconds(log):
    """{group: summed setup + call + teardown seconds} from pytest's --durations lines."""
    groups = collections.Counter()
    for line in Path(log).read_text(encoding="utf-8", errors="replace").splitlines():
        m = DURATION.match(line)
        if m:
            groups[xdist_group(m.group(2))] += float(m.group(1))
    return groups


class Accounting:
    """The kernel's process accounting into a scratch file while the suite runs (root and
    acct's `accton`/`dump-acct` only; otherwise `available` is False)."""

    def __init__(self, folder):
        self.file = Path(folder) / "pacct"
        self.available = (os.geteuid() == 0 and shutil.which("accton") is not None
                          and shutil.which("dump-acct") is not None)

    def __enter__(self):
        if self.available:
            self.file.touch()
            self.available = subprocess.run(["accton", str(self.file)],
                                            capture_output=True).returncode == 0
        return self

    def __exit__(self, *exc):
        if self.available:
            subprocess.run(["accton", "off"], capture_output=True)

    def by_kind(self):
        """{(kind, command name): [processes, CPU-s]} (kind: 'forked' for python processes
        forked without exec, else 'exec'd')."""
        text = subprocess.run(["dump-acct", str(self.file)], capture_output=True,
                              text=True).stdout
        table = collections.defaultdict(lambda: [0, 0.0])
        for line in text.splitlines():
            f = [x.strip() for x in line.split("|")]
            if len(f) < 12:
                continue
            comm, cpu, flags = f[0], (float(f[2]) + float(f[3])) / 100, f[11]
            kind = "forked" if "F" in flags and comm.startswith("python") else "exec'd"
            row = table[(kind, comm)]
            row[0] += 1
            row[1] += cpu
        return table


def failures(log):
    """pytest's short summary lines of what failed or errored (-ra), from the run's log."""
    return [line for line in Path(log).read_text(encoding="utf-8", errors="replace")
            .splitlines() if line.startswith(("FAILED ", "ERROR "))]


def report(status, wall, busy, idle, groups, accounting, workers):
    cores = os.cpu_count()
    print(f"make test's pytest: exit {status}, wall {wall:.0f} s on {cores} CPUs, "
          + (f"{workers} xdist workers" if workers else "no xdist (serial)"))
    print(f"  the machine: busy {busy:.0f} CPU-s, idle {idle:.0f} CPU-s "
          f"({100 * busy / max(busy + idle, 1):.0f}% busy); floor of the wall however the "
          f"tests are scheduled: busy / cores = {busy / cores:.0f} s")
    total = sum(groups.values())
    print(f"\nsummed test time {total:.0f} s; per scheduling group (GROUP_SECONDS in brackets):")
    for group, seconds in groups.most_common(15):
        known = GROUP_SECONDS.get(group)
        print(f"  {seconds:7.1f} s  {100 * seconds / total:4.1f}%  {group}"
              + (f"  [{known}]" if known else ""))
    if not accounting.available:
        print("\nno process accounting here (needs root and acct's accton): no CPU split")
        return
    table = accounting.by_kind()
    counted = sum(cpu for _, cpu in table.values())
    forked = sum(cpu for (kind, _), (_, cpu) in table.items() if kind == "forked")
    print(f"\nCPU by process (kernel accounting, {counted:.0f} CPU-s of processes that ended "
          f"during the run):")
    print(f"  python forked without exec (the fork servers' children: students' code "
          f"being graded): {forked:.0f} CPU-s, {100 * forked / max(counted, 1):.0f}%")
    rows = sorted(table.items(), key=lambda kv: -kv[1][1])[:12]
    for (kind, comm), (n, cpu) in rows:
        print(f"  {cpu:7.1f} CPU-s  {n:5d} processes  {kind:6s}  {comm}")


def report_per_test(path, top=25):
    """The costliest tests and files by the machine's CPU (cpu_per_test.py's rows)."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    files = collections.defaultdict(lambda: [0.0, 0.0, 0])
    for row in rows:
        entry = files[row["id"].split("::")[0]]
        entry[0] += row["cpu"]
        entry[1] += row["wall"]
        entry[2] += 1
    total = sum(row["cpu"] for row in rows)
    print(f"\nCPU per test (serial run, whole machine): {total:.0f} CPU-s over {len(rows)} tests")
    print("  by file:   CPU-s    wall s  tests")
    for name, (cpu, wall, n) in sorted(files.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"  {cpu:14.1f} {wall:9.1f} {n:6d}  {name}")
    print("  by test:   CPU-s    wall s")
    for row in sorted(rows, key=lambda r: -r["cpu"])[:top]:
        print(f"  {row['cpu']:14.1f} {row['wall']:9.1f}  {row['id'][:110]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--serial", action="store_true",
                        help="no xdist; the machine's CPU per test (bench/cpu_per_test.py)")
    parser.add_argument("pytest_args", nargs="*", help="after --: more pytest arguments")
    args = parser.parse_args()
    workers = 0 if args.serial else args.workers
    scratch = Path(tempfile.mkdtemp(prefix="bench-suite-"))
    try:
        before = speed_seconds()
        with Accounting(scratch) as accounting:
            status, wall, busy, idle = run_suite(
                workers, args.pytest_args, scratch / "pytest.log",
                scratch / "per-test.jsonl" if args.serial else None)
        after = speed_seconds()
        print(f"machine speed: {SPEED_LOOP:,} iterations of a Python loop took {before:.2f} "
              f"CPU-s on one core before the run, {after:.2f} after (lower is faster)")
        report(status, wall, busy, idle, group_seconds(scratch / "pytest.log"), accounting,
               workers)
        for line in failures(scratch / "pytest.log"):
            print("  " + line)
        if args.serial:
            report_per_test(scratch / "per-test.jsonl")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
