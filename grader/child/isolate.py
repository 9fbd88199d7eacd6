"""One world per submission, built by the fork server (inside the bwrap jail).

The fork server's jail is shared by every submission of a grade-all worker, so a
fresh fork of it must not inherit anything one student could leave for the next.
Plain Linux system calls through ctypes (Python 3.11 has no os.unshare):

`become_pid_namespace_parent()`, once, before the heavy imports: the fork server
makes a user namespace of its own (same uid, mapped 1:1) and a pid namespace it
owns, and continues as that namespace's pid 1 (its first process waits outside
and passes the exit status on). Owning the pid namespace is what lets it, per
submission (`fork_in_new_pid_namespace`), unshare(CLONE_NEWPID), fork once, and
setns() back: the fork is pid 1 of a pid namespace of its own, with one copy of
the preloaded process (a second fork of a torch-sized process would double the
cost), and the fork server is in none of the submission's namespaces.

`enter_own_world`, in that fork, before any student code runs:
  1. unshare(CLONE_NEWUSER | NEWNS | NEWIPC | NEWUTS): its own user namespace
     (the same uid, mapped 1:1; setgroups denied) owning its own mount, System V
     IPC and host name namespaces. The mounts it inherits are locked by the kernel:
     they cannot be unmounted or made writable from inside. The network namespace
     is the jail's (loopback only, no route out): a fresh one per submission costs
     20-45 ms, and nothing of a submission lives on in it once its processes are
     dead (sockets die with them).
  2. /proc/<pid> of every other process covered (hide_other_processes), a fresh
     size-limited tmpfs on /tmp and /dev/shm (what the Python install
     needs below /tmp is bound back read-only), the submission's own work dir bound
     on the jail's work dir (its cwd and HOME; the work dirs of other submissions of
     the worker are not visible).
  3. drop every capability (effective, permitted, inheritable, ambient and the
     bounding set), set no_new_privs, load the STUDENT seccomp filter
     (grader/execution/seccomp.py) given as BPF bytes.
When the fork (pid 1 of its namespace) exits or is killed, the kernel kills every
process the submission started, wherever they detached to.

The fork server itself sets PR_SET_DUMPABLE 0 (`make_undumpable`): no process
of its uid may then ptrace it or read /proc/<pid>/mem, even without seccomp.

Limit: /proc is the jail's (a fresh procfs cannot be mounted below bwrap's
read-only /proc/sys): a submission sees that pids 1 and 2 exist (the fork server's
waiter and the fork server), but each /proc/<pid> of theirs is covered by an empty
read-only tmpfs (`hide_other_processes`: no command line, fds or mount table), and
no process of an earlier submission exists: those died with their pid namespace.
"""
import ctypes
import errno
import os
import signal
import struct

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
CAP_SETGID, CAP_SETUID = 6, 7
# What a uid-mode fork server keeps (it gives each fork the submission's own uid), nothing else.
SETID_CAPS = (1 << CAP_SETUID) | (1 << CAP_SETGID)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_KEEPCAPS, PR_CAPBSET_DROP = 1, 4, 8, 24
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_CAP_AMBIENT = 38, 22, 47
PR_CAP_AMBIENT_RAISE, PR_CAP_AMBIENT_CLEAR_ALL, SECCOMP_MODE_FILTER = 2, 4, 2
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

_libc = None


class IsolationError(OSError):
    """A step of building the submission's world failed (the grader's fault, not the student's)."""


def _c():
    global _libc
    if _libc is None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                               ctypes.c_ulong, ctypes.c_void_p]
        libc.unshare.argtypes = [ctypes.c_int]
        libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong,
                               ctypes.c_ulong, ctypes.c_ulong]
        libc.capset.argtypes = libc.capget.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        _libc = libc
    return _libc


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise IsolationError(err, f"{what}: {os.strerror(err)}")


def make_undumpable():
    """The fork server: no ptrace, no /proc/<pid>/mem by processes of its own uid."""
    _check(_c().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE")


def become_pid_namespace_parent():
    """Once, in the fork server: continue as pid 1 of a pid namespace it owns (see above).

    The calling process forks; the fork returns (in the new namespaces, as their pid 1)
    while the caller closes all its fds, waits for it and exits as it did."""
    uid, gid = os.getuid(), os.getgid()
    _check(_c().unshare(CLONE_NEWUSER | CLONE_NEWPID), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    pid = os.fork()
    if pid:
        _wait_and_pass_on(pid)  # never returns
    _check(_c().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "PR_SET_PDEATHSIG")
    global _own_pidns
    _own_pidns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)


_own_pidns = None


def fork_in_new_pid_namespace():
    """os.fork() whose child is pid 1 of a fresh pid namespace. Returns like os.fork()
    (the child's pid in ours, or 0 in the child). Needs become_pid_namespace_parent()."""
    c = _c()
    _check(c.unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)")
    try:
        pid = os.fork()
    except OSError:
        _check(c.setns(_own_pidns, CLONE_NEWPID), "setns back")
        raise
    if pid:
        # Back to our own pid namespace for our next children (the next submission).
        _check(c.setns(_own_pidns, CLONE_NEWPID), "setns back")
        return pid
    os.close(_own_pidns)
    return 0


def enter_own_world(work_dir, jail_work, tmp_bytes, shm_bytes, keep_under_tmp, bpf,
                    report_fd=None):
    """Called in fork_in_new_pid_namespace()'s child, before any student code.

    Args: work_dir: this submission's own dir (as the jail sees it); jail_work: where
    it is bound (the child's cwd and HOME); tmp_bytes, shm_bytes: sizes of the fresh
    /tmp and /dev/shm (bytes); keep_under_tmp: paths below /tmp the Python install
    needs (bound back); bpf: the STUDENT seccomp program (bytes) or None; report_fd:
    a pipe to the fork server, which gets b"ok" or the reason of a failure and is closed
    before returning (so the grader, not the student's output, tells what went wrong).
    On failure it exits with status 70: nothing may run on in a half-built world.
    """
    c = _c()
    try:
        uid, gid = os.getuid(), os.getgid()
        _check(c.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "PR_SET_PDEATHSIG")
        _check(c.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
        _check(c.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
        hide_other_processes()
        # Opened in this mount namespace (a bind's source must be in it), before /tmp is covered.
        keep = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in keep_under_tmp
                if os.path.exists(p)]
        _tmpfs("/tmp", tmp_bytes, MS_NOSUID | MS_NODEV)
        for path, fd in keep:
            os.makedirs(path, exist_ok=True)
            _check(c.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None,
                           MS_BIND | MS_REC, None), f"bind {path}")
            os.close(fd)
        _tmpfs("/dev/shm", shm_bytes, MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _check(c.mount(work_dir.encode(), jail_work.encode(), None, MS_BIND, None),
               "bind the work dir")
        os.chdir(jail_work)
        drop_privileges(bpf)
    except BaseException as err:  # noqa: BLE001 - nothing may run on in a half-built world
        try:
            if report_fd is not None:
                os.write(report_fd, f"could not isolate the submission: {err}".encode()[:500])
        finally:
            os._exit(70)  # EX_SOFTWARE
    if report_fd is not None:
        os.write(report_fd, b"ok")
        os.close(report_fd)


def hide_other_processes():
    """Cover /proc/<pid> of every process (and thread) the jail's /proc shows but this
    one with an empty read-only tmpfs: the fork server and its waiter keep their
    command line, status, open fds and mount table (host paths) to themselves.
    Needs a mount namespace of our own; processes born later are not covered (the
    fork server forks nothing else while a submission lives, and what it forks is
    undumpable and in a pid namespace of its own)."""
    me = os.readlink("/proc/self")
    hidden = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or entry == me:
            continue
        try:
            tids = os.listdir(f"/proc/{entry}/task")
        except OSError:
            tids = []
        for tid in {entry, *tids} - {me} - hidden:
            result = _c().mount(b"none", f"/proc/{tid}".encode(), b"tmpfs",
                                MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                b"size=4k,mode=555")
            if result != 0 and ctypes.get_errno() not in (errno.ENOENT, errno.ESRCH):
                _check(result, f"hide /proc/{tid}")
            hidden.add(tid)
    return hidden


def drop_privileges(bpf):
    """Every capability gone for good, no_new_privs, then the seccomp filter (if given)."""
    c = _c()
    _drop_bounding(keep=0)
    _check(c.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient caps")
    _capset(0, 0, 0)
    _check(c.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if bpf:
        load_filter(bpf)


def cap_last_cap():
    """The highest capability number this kernel knows."""
    return int(_read("/proc/sys/kernel/cap_last_cap"))


def _drop_bounding(keep, last=None):
    """Drop every capability but the bits of `keep` from the bounding set (needs CAP_SETPCAP)."""
    for cap in range((cap_last_cap() if last is None else last) + 1):
        if not keep >> cap & 1:
            _check(_c().prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "PR_CAPBSET_DROP")


def _capset(effective, permitted, inheritable):
    """Set this thread's capability sets (bit masks of capability numbers)."""
    header = struct.pack("Ii", _LINUX_CAPABILITY_VERSION_3, 0)
    words = []
    for shift in (0, 32):  # two {effective, permitted, inheritable} words
        words += [(effective >> shift) & 0xFFFFFFFF, (permitted >> shift) & 0xFFFFFFFF,
                  (inheritable >> shift) & 0xFFFFFFFF]
    _check(_c().capset(header, struct.pack("6I", *words)), "capset")


def capabilities():
    """(effective, permitted, inheritable, ambient, bounding) of this process, as bit masks."""
    found = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"):
                found[key] = int(value, 16)
    return tuple(found.get(k, 0) for k in ("CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"))


def become_fork_server_uid(uid, last_cap):
    """uid mode, as root between fork and exec of the fork server: become `uid` keeping
    CAP_SETUID and CAP_SETGID only, across the exec (as ambient capabilities: Python has
    no file capabilities). Every other capability leaves the bounding set too, so no
    process below the fork server can ever hold one. `last_cap`: cap_last_cap(), read
    before the fork (nothing here may open files or allocate much: the grader has threads).
    """
    c = _c()
    _drop_bounding(SETID_CAPS, last_cap)
    _check(c.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "PR_SET_KEEPCAPS")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)   # keepcaps: permitted survives, effective is emptied
    _capset(SETID_CAPS, SETID_CAPS, SETID_CAPS)
    for cap in (CAP_SETUID, CAP_SETGID):
        _check(c.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0), "ambient raise")


def settle_fork_server():
    """The uid-mode fork server after its exec, before anything else: undumpable (no
    /proc/<pid>/mem, environ or fd/ for anyone but root, even of its own uid), CAP_SETUID
    and CAP_SETGID effective and permitted and nowhere else (no ambient or inheritable
    capability a fork could carry across an exec). Raises IsolationError otherwise."""
    make_undumpable()
    _check(_c().prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient caps")
    _capset(SETID_CAPS, SETID_CAPS, 0)
    eff, prm, inh, amb, bnd = capabilities()
    if (eff, prm, inh, amb) != (SETID_CAPS, SETID_CAPS, 0, 0) or bnd & ~SETID_CAPS:
        raise IsolationError(0, f"the fork server holds capabilities it must not: "
                             f"{eff:#x}/{prm:#x}/{inh:#x}/{amb:#x}/{bnd:#x}")


def become_submission_uid(uid):
    """In a fork of the uid-mode fork server, before any student code: the submission's
    own uid and gid (real, effective, saved; no supplementary group), then no capability
    in any set (the bounding set keeps CAP_SETUID/CAP_SETGID, which no_new_privs makes
    unreachable: only an exec with file capabilities could raise them). Raises
    IsolationError unless that is exactly what this process now has."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _check(_c().prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient caps")
    _capset(0, 0, 0)
    # The uid change made it undumpable (fs.suid_dumpable); its own uid is its alone, so
    # dumpable again: /proc/<pid> then names its uid (kill and CPU accounting by uid).
    _check(_c().prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "PR_SET_DUMPABLE")
    caps = capabilities()[:4]
    if os.getresuid() != (uid,) * 3 or os.getresgid() != (uid,) * 3 or any(caps):
        raise IsolationError(0, f"the submission's process is not uid {uid} without "
                             f"capabilities: {os.getresuid()} {caps}")


def load_filter(bpf):
    """Load a compiled seccomp program (bytes of struct sock_filter[]) on this thread."""
    buf = ctypes.create_string_buffer(bpf, len(bpf))
    prog = struct.pack("HxxxxxxQ", len(bpf) // 8, ctypes.addressof(buf))
    prog_buf = ctypes.create_string_buffer(prog, len(prog))
    _check(_c().prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog_buf), 0, 0),
           "seccomp")


def _wait_and_pass_on(pid):
    """The waiter: close everything, wait for `pid`, exit as it did."""
    os.closerange(0, 2 ** 16)  # the control socket and output pipes belong to `pid` alone
    # Visible in the jail's /proc as pid 1 and of the jail's uid: nothing may read or
    # write its memory (it created the fork server's user namespace: a way in).
    make_undumpable()
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(70)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


def _tmpfs(path, size, flags):
    _check(_c().mount(b"tmpfs", path.encode(), b"tmpfs", flags,
                      f"size={int(size)},mode=1777".encode()), f"tmpfs on {path}")


def _write(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _read(path):
    with open(path) as fh:
        return fh.read().strip()
