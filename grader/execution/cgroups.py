"""A cgroup of its own for each jail: process cap, CPU accounting, a fair CPU share.

Linux has two cgroup layouts in the field and this module uses whichever the
machine offers, controller by controller:

    v1  one hierarchy per controller (or co-mounted: cpu,cpuacct), e.g.
        /sys/fs/cgroup/pids, /sys/fs/cgroup/cpuacct, /sys/fs/cgroup/cpu
    v2  one unified hierarchy (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a
        hybrid machine). Its `cpu.stat` (usage_usec) exists in every group
        whether or not the cpu controller is enabled, so CPU accounting works
        even where we may not enable controllers.

The mount points come from /proc/self/mountinfo and our own place in each
hierarchy from /proc/self/cgroup; a jail's group is made beside that place
(`grader-<token>`), and only where we may write. What each function needs:

    pids     pids.max                     the process cap (RLIMIT_NPROC does not bind root)
    cpuacct  cpuacct.usage (v1, ns) | cpu.stat usage_usec (v2)   CPU seconds of every process
    cpu      cpu.shares (v1) | cpu.weight (v2)   one share per jail, however many processes

A process enters every group of its jail between fork and exec (`enter()`), or
the parent moves it (`add(pid)`, for fork-server children); its own children
inherit the groups, including ones that detach with setsid(). Where no group
can be made, the caller falls back (grader/execution/cputime.py measures CPU
from /proc).
"""
import os
import time

NAME_PREFIX = "grader-"
WANTED = ("pids", "cpuacct", "cpu")


# ----------------------------------------------------------------- discovery
def _mounts():
    """[(mount point, 'cgroup' | 'cgroup2', {v1 controllers})] from mountinfo."""
    found = []
    try:
        with open("/proc/self/mountinfo") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3 or rfields[0] not in ("cgroup", "cgroup2"):
            continue
        options = set(rfields[2].split(","))
        found.append((fields[4].replace("\\040", " "), rfields[0], options))
    return found


def _own_places():
    """({v1 controller: path of ours}, v2 path of ours or None) from /proc/self/cgroup."""
    v1, v2 = {}, None
    try:
        with open("/proc/self/cgroup") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return v1, v2
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        if controllers == "":
            v2 = rel
        for c in controllers.split(","):
            v1[c] = rel
    return v1, v2


def _writable_dir(path):
    return os.path.isdir(path) and os.access(path, os.W_OK) and os.path.exists(
        os.path.join(path, "cgroup.procs"))


def find_bases(prefer=("v1", "v2")):
    """{function: (layout, base dir)} for each of WANTED this machine lets us use.

    `prefer`: the order in which layouts are tried (tests force one)."""
    mounts, (v1_rel, v2_rel) = _mounts(), _own_places()
    bases = {}
    for function in WANTED:
        for layout in prefer:
            base = (_v1_base(function, mounts, v1_rel) if layout == "v1"
                    else _v2_base(function, mounts, v2_rel))
            if base:
                bases[function] = (layout, base)
                break
    return bases


def _v1_base(function, mounts, rel):
    for point, fstype, options in mounts:
        if fstype == "cgroup" and function in options and function in rel:
            base = os.path.join(point, rel[function].lstrip("/"))
            if _writable_dir(base):
                return base
    return None


def _v2_base(function, mounts, rel):
    if rel is None:
        return None
    for point, fstype, _options in mounts:
        if fstype != "cgroup2":
            continue
        base = os.path.join(point, rel.lstrip("/"))
        if not _writable_dir(base):
            continue
        if function == "cpuacct":
            return base  # cpu.stat is there whatever the controllers
        try:
            with open(os.path.join(base, "cgroup.subtree_control")) as fh:
                if function in fh.read().split():
                    return base
        except OSError:
            pass
    return None


_bases = None


def machine_bases():
    """find_bases(), once per process."""
    global _bases
    if _bases is None:
        _bases = find_bases()
    return _bases


# --------------------------------------------------------------- one jail
class JailCgroup:
    """The groups of one jail: {function: (layout, dir)}; dirs may be shared
    (v2, or co-mounted v1 controllers)."""

    def __init__(self, groups):
        self.groups = groups

    @classmethod
    def create(cls, token, max_processes, bases=None):
        """Make the jail's groups where possible; None if none could be made."""
        bases = machine_bases() if bases is None else bases
        groups, made = {}, {}
        for function, (layout, base) in bases.items():
            path = os.path.join(base, NAME_PREFIX + token)
            if path not in made:
                try:
                    os.mkdir(path)
                except OSError:
                    continue
                made[path] = layout
            groups[function] = (layout, path)
        jail = cls(groups)
        if "pids" in groups and not jail._write("pids", "pids.max", str(int(max_processes))):
            del groups["pids"]
        if not groups:
            jail.remove()
            return None
        return jail

    def _write(self, function, name, text):
        try:
            with open(os.path.join(self.groups[function][1], name), "w") as fh:
                fh.write(text)
            return True
        except OSError:
            return False

    @property
    def dirs(self):
        return sorted({path for _layout, path in self.groups.values()})

    @property
    def caps_processes(self):
        return "pids" in self.groups

    @property
    def counts_cpu(self):
        return "cpuacct" in self.groups

    def enter(self):
        """Put the calling process in every group (in the child between fork and exec)."""
        self.add(0)

    def add(self, pid):
        """Move `pid` (0: the caller) into every group; False if any move failed."""
        ok = True
        for path in self.dirs:
            try:
                with open(os.path.join(path, "cgroup.procs"), "w") as fh:
                    fh.write(str(pid))
            except ProcessLookupError:
                pass  # it has exited already: nothing left to count
            except OSError:
                ok = False
        return ok

    def cpu_seconds(self):
        """CPU seconds used by every process that was ever in the jail, or None."""
        if "cpuacct" not in self.groups:
            return None
        layout, path = self.groups["cpuacct"]
        try:
            if layout == "v1":
                with open(os.path.join(path, "cpuacct.usage")) as fh:
                    return int(fh.read()) / 1e9
            with open(os.path.join(path, "cpu.stat")) as fh:
                for line in fh:
                    key, _, value = line.partition(" ")
                    if key == "usage_usec":
                        return int(value) / 1e6
        except (OSError, ValueError):
            pass
        return None

    def pids(self):
        """Every process in the jail's groups (host pids)."""
        found = set()
        for path in self.dirs:
            try:
                with open(os.path.join(path, "cgroup.procs")) as fh:
                    found.update(int(x) for x in fh.read().split())
            except (OSError, ValueError):
                pass
        return sorted(found)

    def signal_all(self):
        """SIGKILL every process in the groups once, without waiting for them to exit."""
        import signal
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def remove_in_background(self):
        """Kill and remove off the caller's path (a killed process with torch mapped
        takes ~15 ms to exit, and a group can only be removed once it is empty)."""
        import threading
        self.signal_all()
        threading.Thread(target=self.remove, daemon=True).start()

    def kill_all(self, rounds=200):
        from grader.execution.processes import kill_until_gone
        return kill_until_gone(self.pids, rounds)

    def remove(self):
        """Remove the groups (killing what is left in them first)."""
        for path in self.dirs:
            for _ in range(100):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    self.kill_all(rounds=5)
                    time.sleep(0.02)
