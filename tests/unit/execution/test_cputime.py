"""CPU-time limits: cgroup (v1 and v2) and /proc meters, the backstop's verdict, messages."""
import os
import subprocess
import sys
import textwrap
import time

import pytest

from grader.execution import cgroups, cputime
from grader.execution.channel import ChildFault

# CPU meters, real sleeps and the run-queue delay: alone on the machine under xdist.
pytestmark = pytest.mark.exclusive

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < {s}: pass\n"


def _burn_in(cgroup, seconds):
    """Run a process that burns `seconds` of CPU inside `cgroup`; wait for it."""
    subprocess.run([sys.executable, "-c", BURN.format(s=seconds)], check=True,
                   preexec_fn=cgroup.enter)


@pytest.mark.parametrize("layout", ["v1", "v2"])
def test_cgroup_counts_the_cpu_of_every_process_in_it(layout):
    bases = {f: b for f, b in cgroups.find_bases(prefer=(layout,)).items()
             if f == "cpuacct"}
    if not bases:
        pytest.skip(f"no writable cgroup {layout} hierarchy with CPU accounting here")
    group = cgroups.JailCgroup.create(os.urandom(6).hex(), 16, bases=bases)
    try:
        assert group.counts_cpu and group.groups["cpuacct"][0] == layout
        before = group.cpu_seconds()
        _burn_in(group, 0.15)
        _burn_in(group, 0.1)
        used = group.cpu_seconds() - before
        assert 0.22 <= used < 1.0, used
    finally:
        group.remove()
    assert not any(os.path.exists(d) for d in group.dirs)


def test_proc_tree_meter_counts_children_and_grandchildren():
    code = textwrap.dedent(f"""
        import subprocess, sys
        burn = {BURN.format(s=0.15)!r}
        procs = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(2)]
        exec(burn)
        for p in procs: p.wait()
        import time; time.sleep(5)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        meter = cputime.ProcTreeMeter(proc.pid)
        deadline = time.monotonic() + 20
        while meter.cpu_seconds() < 0.42 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 0.42 <= meter.cpu_seconds() < 2.0, meter.cpu_seconds()
    finally:
        proc.kill()
        proc.wait()


class FakeMeter:
    def __init__(self, cpu, delay):
        self.cpu, self.delay = cpu, delay

    def cpu_seconds(self):
        return self.cpu

    def run_delay_seconds(self):
        return self.delay


def test_watch_says_how_much_cpu_was_used():
    meter = FakeMeter(10.0, 0.0)
    watch = cputime.Watch(cputime.Budget(30, 100), meter)
    meter.cpu = 10.0 + 31.2
    with pytest.raises(ChildFault) as caught:
        watch.check()
    assert caught.value.status == "timeout"
    assert caught.value.message == "used 31.2 s of CPU; the limit is 30 s"


@pytest.mark.parametrize("delay, status", [(0.1, "infrastructure"), (0.0, "timeout")])
def test_wall_overrun_verdict_follows_the_run_queue_delay(monkeypatch, delay, status):
    """Past the backstop: starved (runnable, waiting for a CPU) is the machine's fault;
    asleep (no CPU wanted) is the submission's own timeout."""
    monkeypatch.setattr(cputime, "DELAY_BASELINE_AFTER_S", 0.0)
    meter = FakeMeter(0.0, 0.0)
    watch = cputime.Watch(cputime.Budget(30, 0.12), meter)
    watch.check()                          # takes the run-queue baseline
    meter.cpu, meter.delay = 0.01, delay
    time.sleep(0.13)
    with pytest.raises(ChildFault) as caught:
        watch.check()
    assert caught.value.status == status
    if status == "infrastructure":
        assert "not graded" in caught.value.message and "not yours" in caught.value.message
    else:
        assert "sleeping" in caught.value.message


def test_wall_overrun_of_a_sleeping_child_is_its_own_timeout():
    fault = cputime.backstop_fault(100.0, 0.2, 0.1, cputime.Budget(30, 100))
    assert fault.status == "timeout" and "sleeping" in fault.message
    unknown = cputime.backstop_fault(100.0, 0.2, None, cputime.Budget(30, 100))
    assert unknown.status == "infrastructure"


def test_budget_backstop_follows_course_limits():
    from grader.config import Limits
    budget = cputime.Budget.for_limit(30, Limits(wall_factor=3, wall_extra_s=10))
    assert (budget.cpu_s, budget.wall_s) == (30, 100)


def test_run_delay_is_read_from_schedstat():
    delay = cputime.run_delay([os.getpid()])
    if delay is None:
        pytest.skip("this kernel has no schedstat")
    assert delay >= 0


def test_each_jail_gets_its_own_cpu_share_and_process_cap():
    """Every jail is one cpu group (one share of the CPU, however many processes it
    starts) and one pids group (the process cap), where the machine lets us make them."""
    bases = cgroups.machine_bases()
    if "cpu" not in bases or "pids" not in bases:
        pytest.skip(f"no writable cpu and pids cgroups here ({sorted(bases)})")
    token = os.urandom(6).hex()
    group = cgroups.JailCgroup.create(token, 3)
    try:
        assert group.caps_processes
        code = ("import os, sys\nprint(open('/proc/self/cgroup').read())\n"
                "pids = []\nfor _ in range(6):\n    try:\n        pid = os.fork()\n"
                "    except OSError:\n        break\n    if pid == 0:\n"
                "        import time; time.sleep(0.3); os._exit(0)\n    pids.append(pid)\n"
                "print('FORKED', len(pids))\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              preexec_fn=group.enter, timeout=30)
        lines = [l for l in done.stdout.splitlines() if ":" in l and "grader-" + token in l]
        controllers = {c for l in lines for c in l.split(":")[1].split(",")}
        assert {"cpu", "pids"} <= controllers or any(l.startswith("0::") for l in lines), lines
        assert "FORKED 2" in done.stdout, done.stdout[-300:]   # 3 processes in all
    finally:
        group.remove()
