"""Time limits in CPU seconds, so that a score does not depend on how busy the machine is.

A check's limit (its `time_limit_s`, else its exercise's, and `limits.load_time_s` for
running the files) counts the CPU seconds of ALL processes of the submission,
measured by a meter:

    CgroupMeter    the jail's cgroup (grader/execution/cgroups.py): exact, every
                   process that was ever in it, however it detached
    ProcTreeMeter  where no cgroup can be made: utime+stime (+ what reaped children
                   used) of the live process tree under the child, and of every
                   process of the jail's own uid; a process that detaches and is
                   reparented to init escapes it (see README)

While the parent waits for a reply it polls the meter (`Budget.check`). Over
the CPU limit: status `timeout`, "used 31.2 s of CPU; the limit is 30 s". A
wall-clock backstop (`limits.wall_factor` x the limit + `limits.wall_extra_s`)
catches a child that does not use the CPU at all; then the run-queue delay of
its threads (/proc/<pid>/task/<tid>/schedstat) tells why: a child that was
runnable but did not get the CPU was starved by the machine (status
`infrastructure`: never the student's zero, retried once in a fresh child),
a child that slept or blocked on its own used its wall time up (`timeout`).
"""
import os
import time

from grader.execution.channel import ChildFault

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# A backstop overrun is the machine's fault when the child was running or waiting
# for a CPU for at least this share of the wall time (else it slept on its own).
STARVED_SHARE = 0.5
DELAY_BASELINE_AFTER_S = 0.5


class Budget:
    """The time one request may take: `cpu_s` CPU seconds of the submission's
    processes, and at most `wall_s` seconds of wall-clock time (the backstop)."""

    def __init__(self, cpu_s, wall_s):
        self.cpu_s, self.wall_s = float(cpu_s), float(wall_s)

    @classmethod
    def for_limit(cls, cpu_s, limits):
        """The budget for a CPU limit under course.yml's backstop rule."""
        return cls(cpu_s, limits.wall_factor * cpu_s + limits.wall_extra_s)

    def __repr__(self):
        return f"Budget(cpu_s={self.cpu_s:g}, wall_s={self.wall_s:g})"


class Watch:
    """One request under a Budget: `check()` raises ChildFault when it is spent."""

    def __init__(self, budget, meter):
        self.budget, self.meter = budget, meter
        self.started = time.monotonic()
        self.cpu0 = meter.cpu_seconds() if meter else None
        # The run-queue baseline is taken only once a request has lasted a while: most
        # replies come in milliseconds, and it costs a read per thread.
        self.delay0 = self.delay_since = None

    def cpu_used(self):
        if self.meter is None or self.cpu0 is None:
            return None
        now = self.meter.cpu_seconds()
        return None if now is None else max(now - self.cpu0, 0.0)

    def wall_left(self):
        return self.budget.wall_s - (time.monotonic() - self.started)

    def check(self):
        """Raise ChildFault('timeout' | 'infrastructure') if the budget is spent."""
        if self.delay0 is None and self.meter is not None \
                and time.monotonic() - self.started > DELAY_BASELINE_AFTER_S:
            self.delay0, self.delay_since = self.meter.run_delay_seconds(), time.monotonic()
        used = self.cpu_used()
        if used is not None and used > self.budget.cpu_s:
            raise ChildFault("timeout", cpu_message(used, self.budget.cpu_s))
        if self.wall_left() > 0:
            return
        elapsed = time.monotonic() - self.started
        if used is None:  # no meter: the old wall-clock rule
            raise ChildFault("timeout", f"used {elapsed:.1f} s of wall-clock time; the limit "
                                        f"is {self.budget.wall_s:g} s")
        waited = self.run_delay()
        if waited is not None and self.delay_since is not None:
            # Scale the wait measured since the baseline to the whole request.
            waited *= elapsed / max(time.monotonic() - self.delay_since, 1e-3)
        raise backstop_fault(elapsed, used, waited, self.budget)

    def run_delay(self):
        """Seconds the submission's threads waited for a CPU since the baseline, or None."""
        now = self.meter.run_delay_seconds() if self.meter else None
        if now is None or self.delay0 is None:
            return None
        return max(now - self.delay0, 0.0)

    def poll_interval(self):
        """How long to block before the next check: short at first (most replies
        come fast), then up to 0.2 s (a /proc walk per poll costs a few ms)."""
        elapsed = time.monotonic() - self.started
        return max(min(0.02 + elapsed / 10, 0.2, self.wall_left()), 0.001)


def cpu_message(used, limit):
    return f"used {used:.1f} s of CPU; the limit is {limit:g} s"


# A check that used more than this share of its limit says so in its feedback: on a
# busier grading machine CPU time grows, and slow code should be seen before it times out.
CPU_NOTE_SHARE = 1 / 3


def cpu_note(used, limit):
    """A sentence for the student when a check used over CPU_NOTE_SHARE of its limit, else "".

    used: CPU seconds the check's request used (None: not measured); limit: its
    CPU seconds. Both are the parent's own measurements, never the child's word."""
    if used is None or used <= CPU_NOTE_SHARE * limit:
        return ""
    return (f"This check used {used:.1f} of {limit:g} CPU-s (its time limit): slow code can run "
            "out on a busier grading machine. Look for Python loops over examples or "
            "coordinates that numpy can do at once, or far more iterations than needed.")


def backstop_fault(elapsed, cpu_used, run_delay, budget):
    """Why a request overran the wall-clock backstop, as a ChildFault.

    elapsed: wall seconds; cpu_used: CPU seconds of the submission; run_delay:
    seconds its live threads spent runnable but waiting for a CPU (None if unknown).
    Starved by the machine (or unknown) -> infrastructure; slept -> timeout."""
    busy = cpu_used + (run_delay or 0.0)
    if run_delay is None or busy >= STARVED_SHARE * elapsed:
        return ChildFault("infrastructure", (
            f"not graded: the machine was too busy (after {elapsed:.0f} s of wall-clock time "
            f"the check had had only {cpu_used:.1f} s of the {budget.cpu_s:g} s of CPU it "
            "may use); this is the grader's fault, not yours, and the check is graded again"))
    return ChildFault("timeout", (
        f"waited {elapsed:.0f} s of wall-clock time (sleeping, reading input or waiting on "
        f"a lock) and used {cpu_used:.1f} s of CPU; a check may take at most "
        f"{budget.wall_s:g} s of wall-clock time"))


# -------------------------------------------------------------------- meters
class CgroupMeter:
    """CPU of every process of a jail's cgroup (seconds, cumulative)."""

    def __init__(self, cgroup):
        self.cgroup = cgroup

    def cpu_seconds(self):
        return self.cgroup.cpu_seconds()

    def pids(self):
        return self.cgroup.pids()

    def run_delay_seconds(self):
        return run_delay(self.pids())


class ProcTreeMeter:
    """CPU of the live process tree under `root_pid`, plus every process of `uid`
    (a jail's own uid), from /proc; never decreases (a dying process's time
    vanishes until its parent reaps it, then reappears in the parent's cutime)."""

    def __init__(self, root_pid, uid=None, exclude=()):
        self.root_pid, self.uid, self.exclude = root_pid, uid, set(exclude)
        self.high = 0.0

    def pids(self):
        table = _proc_table()
        tree, todo = set(), [self.root_pid]
        children = {}
        for pid, info in table.items():
            children.setdefault(info["ppid"], []).append(pid)
        while todo:
            pid = todo.pop()
            if pid in tree or pid not in table:
                continue
            tree.add(pid)
            todo.extend(children.get(pid, ()))
        if self.uid is not None:
            tree.update(pid for pid, info in table.items() if info["uid"] == self.uid)
        return sorted(tree - self.exclude), table

    def cpu_seconds(self):
        pids, table = self.pids()
        total = sum(table[p]["ticks"] for p in pids) / CLOCK_TICKS
        self.high = max(self.high, total)
        return self.high

    def run_delay_seconds(self):
        return run_delay(self.pids()[0])


def _proc_table():
    """{pid: {ppid, uid, ticks}} of every process (ticks: utime+stime+cutime+cstime)."""
    table = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            uid = os.stat(f"/proc/{entry}").st_uid
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        try:
            table[int(entry)] = {"ppid": int(fields[1]), "uid": uid,
                                 "ticks": sum(int(x) for x in fields[11:15])}
        except (ValueError, IndexError):
            continue
    return table


def run_delay(pids):
    """Seconds the threads of `pids` have spent runnable, waiting for a CPU, or None
    if the kernel does not say (no schedstat)."""
    total, seen = 0, False
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                    total += int(fh.read().split()[1])
                    seen = True
            except (OSError, ValueError, IndexError):
                continue
    return total / 1e9 if seen else None
