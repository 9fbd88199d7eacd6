"""pytest plugin for bench/bench_suite.py --serial: the machine's CPU seconds per test.

Loaded with `-p cpu_per_test` (bench/ on PYTHONPATH) in a run WITHOUT xdist: each test's
setup, call and teardown are bracketed by /proc/stat's busy ticks of the whole machine, so
the figure counts every process the test started (grader commands, fork servers and their
children, kernels, pip), which pytest's --durations (wall) and rusage (the test process and
the children it waited for) do not. A module's shared fixtures count in its first test.
Exact only when nothing else runs: with xdist, or beside other jobs, a test would be
charged for its neighbours' CPU.

Writes one JSON line per test to $CPU_PER_TEST_OUT: {"id", "cpu" (CPU-s), "wall" (s),
"outcome" (passed | failed | skipped: the worst of its phases)}.
"""
import json
import os
import time

import pytest

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks():
    """(busy, idle) ticks of the whole machine since boot, all CPUs (/proc/stat)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq + steal, idle + iowait


def busy_seconds():
    return cpu_ticks()[0] / TICKS


_OUTCOMES = {}   # node id -> the worst outcome of its phases so far
_RANK = {"passed": 0, "skipped": 1, "failed": 2}


def pytest_runtest_logreport(report):
    worst = max(_OUTCOMES.get(report.nodeid, "passed"), report.outcome, key=_RANK.get)
    _OUTCOMES[report.nodeid] = worst


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    busy, started = busy_seconds(), time.perf_counter()
    yield
    row = {"id": item.nodeid, "cpu": round(busy_seconds() - busy, 2),
           "wall": round(time.perf_counter() - started, 3),
           "outcome": _OUTCOMES.pop(item.nodeid, "passed")}
    with open(os.environ["CPU_PER_TEST_OUT"], "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
