"""Uids and processes: each jail's own unprivileged uid, and killing what a jail left behind.

When the grader runs as root, every jail, every fork server and (uid mode) every
submission a fork server forks gets a uid of its own from course.yml's range
`limits.uid_base` .. + `uid_count` (far above real accounts), leased with
`lease_uid`: never one a live process has, never one another lease holds, in this
grader or in any other grader on the machine (a byte-range lock per uid on a
root-only file in /run, released by the kernel when a grader dies). `drop_to`
switches to a uid between fork and exec, `set_no_new_privs` keeps it from ever
regaining privilege. The kill helpers find a submission's processes however they
detached: by uid, by an environment marker (best effort), or by a caller's listing
(a cgroup).
"""
import fcntl
import itertools
import os
import random
import signal
import subprocess
import sys
import threading
import time

_lock = threading.Lock()
_lease_lock = threading.Lock()
# Machine-wide leases: byte `uid` of this file is locked while a grader uses that uid.
LEASE_FILES = ("/run/gd-autograder-uids.lock", "/var/run/gd-autograder-uids.lock")
_lease_fd = None      # None: not opened yet; -1: none usable (leases are this process's only)
_leased = set()       # uids leased in this process (POSIX locks do not exclude ourselves)


class NoFreeUid(OSError):
    """Every uid of the configured range is in use (limits.uid_base / uid_count): the
    machine's trouble, an OSError like running out of processes."""


class UidLease:
    """One uid, ours until release(): call it only once no process of the uid is left."""

    def __init__(self, uid):
        self.uid = uid

    def release(self):
        if self.uid is None:
            return
        remove_files_of(self.uid)   # what it left in the machine's /tmp: not for the next one
        with _lease_lock:
            fd = _lease_fd if _lease_fd is not None and _lease_fd >= 0 else None
            if fd is not None:
                try:
                    fcntl.lockf(fd, fcntl.LOCK_UN, 1, self.uid)
                except OSError:
                    pass
            _leased.discard(self.uid)
        self.uid = None


SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")


def remove_files_of(uid, dirs=SHARED_TMP):
    """Remove what `uid` created at the top of the machine's world-writable temp folders
    (uid mode: a submission's /tmp is the machine's). Only there: a submission cannot write
    into another uid's folders. Links are removed, never followed; a tree is removed
    bottom-up without recursion (it may be thousands of folders deep)."""
    for top in dirs:
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    _remove_tree(entry.path)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def _remove_tree(top):
    stack, order = [top], []
    while stack:
        path = stack.pop()
        order.append(path)
        try:
            with os.scandir(path) as it:
                for e in it:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    else:
                        try:
                            os.unlink(e.path)
                        except OSError:
                            pass
        except OSError:
            pass
    for path in reversed(order):
        try:
            os.rmdir(path)
        except OSError:
            pass


def _uid_range(limits):
    if limits is None:
        from grader.config import Limits
        limits = Limits()
    return limits.uid_base, limits.uid_count


def _lease_file():
    """The fd of the machine-wide lease file (root's, in a folder only root may write), or -1."""
    global _lease_fd
    if _lease_fd is None:
        _lease_fd = -1
        for path in LEASE_FILES:
            try:
                folder = os.stat(os.path.dirname(path))
                if folder.st_uid != 0 or folder.st_mode & 0o022:
                    continue
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            except OSError:
                continue
            st = os.fstat(fd)
            if st.st_uid == 0 and not st.st_mode & 0o077:
                _lease_fd = fd
                break
            os.close(fd)
    return _lease_fd


def lease_uid(limits=None):
    """A uid of the range in `limits` (config.Limits; None: course.yml's defaults) that
    no live process has and no other lease holds, on this machine. Raises NoFreeUid."""
    base, count = _uid_range(limits)
    in_use = uids_in_use()
    rng = random.SystemRandom()
    # A few random picks (a large range is almost empty), then every uid once from a
    # random start, so a nearly full range still finds its last free uid.
    start = rng.randrange(count)
    candidates = itertools.chain(
        (base + rng.randrange(count) for _ in range(min(count, 64))),
        (base + (start + i) % count for i in range(count)))   # lazily: the range is 10^6
    with _lease_lock:
        fd = _lease_file()
        for uid in candidates:
            if uid in _leased or uid in in_use:
                continue
            if fd >= 0:
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, uid)
                except OSError:
                    continue   # another grader holds it
            _leased.add(uid)
            return UidLease(uid)
    raise NoFreeUid(f"no free uid in {base}..{base + count - 1} (course.yml limits.uid_base, "
                    "limits.uid_count)")


def uid_drop_possible():
    """Can a bare child run as an unprivileged uid of its own here (root, and a Python
    other uids can run)?"""
    return os.geteuid() == 0 and uid_can_run_python()


def set_no_new_privs():
    """prctl(PR_SET_NO_NEW_PRIVS): no setuid binary or file capability can raise this
    process's privileges again (Linux >= 3.5; silently nothing elsewhere)."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    except (OSError, AttributeError):
        pass


def student_seccomp():
    """(filter bytes, loader) for the student seccomp filter of the bubblewrap work
    (grader/execution/seccomp.py, grader/child/isolate.py), or None where those
    modules or libseccomp are not there: then the uid drop stands alone."""
    try:
        from grader.execution import seccomp
        from grader.child.isolate import load_filter
        return seccomp.filter_bpf(seccomp.STUDENT), load_filter
    except Exception:  # noqa: BLE001 - ImportError, SeccompUnavailable: optional hardening
        return None


def keep_setid_preexec(uid):
    """The uid drop of a uid-mode fork server (grader/child/isolate.py
    become_fork_server_uid), with what it needs resolved now, before the fork."""
    from grader.child import isolate
    isolate._c()
    last = isolate.cap_last_cap()
    return lambda u: isolate.become_fork_server_uid(u, last)


def drop_all_preexec():
    """drop_to for a uid-mode child that runs student code: the bounding set emptied
    first (as root), so it holds no capability in any set."""
    from grader.child import isolate
    isolate._c()
    last = isolate.cap_last_cap()

    def drop(uid):
        isolate._drop_bounding(0, last)
        drop_to(uid)
    return drop


def drop_to(uid):
    """setgroups([]), then gid and uid to `uid` (real, effective and saved)."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


_python_as_other = None


def uid_can_run_python():
    """Can an unprivileged uid run this Python (a pyenv under /root cannot)? Tried once."""
    global _python_as_other
    with _lock:
        if _python_as_other is None:
            lease = lease_uid()
            try:
                _python_as_other = subprocess.run(
                    [sys.executable, "-I", "-c", "import numpy"], cwd="/",
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, timeout=60,
                    preexec_fn=lambda: drop_to(lease.uid)).returncode == 0
            except (OSError, subprocess.SubprocessError):
                _python_as_other = False
            finally:
                kill_uid(lease.uid)
                lease.release()
        return _python_as_other


def _proc_owners():
    """{pid: uid}: the owner of /proc/<pid> is the process's effective uid (the directory
    keeps it for an undumpable process too; only the files in it turn root's)."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                found[int(entry)] = os.stat(f"/proc/{entry}").st_uid
            except OSError:
                pass
    return found


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        return stat[stat.rindex(")") + 2] == "Z"
    except (OSError, ValueError, IndexError):
        return True   # gone


def uids_in_use():
    """The uids of live processes (0.4 ms for 200 processes)."""
    return set(_proc_owners().values())


def pids_of_uid(uid):
    """Processes that run as `uid`, zombies left out (dead already; their parent reaps
    them: a fork server's children are reaped at its next request)."""
    return [pid for pid, owner in _proc_owners().items() if owner == uid and not _zombie(pid)]


def kill_uid(uid, rounds=50):
    """SIGKILL every process running as `uid` until none is left (forks racing us included)."""
    return kill_until_gone(lambda: pids_of_uid(uid), rounds) or not pids_of_uid(uid)


def kill_marked(token, rounds=50):
    """Best effort without a uid of its own: SIGKILL every process whose
    environment still holds GRADER_JAIL=token (a submission can strip it)."""
    needle = f"GRADER_JAIL={token}".encode()
    if not os.path.isdir("/proc"):
        return False  # not Linux: the process group kill is all there is

    def marked():
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != os.getpid():
                try:
                    with open(f"/proc/{entry}/environ", "rb") as fh:
                        if needle in fh.read().split(b"\0"):
                            found.append(int(entry))
                except OSError:
                    pass
        return found

    return kill_until_gone(marked, rounds)


def kill_group(pid):
    """SIGKILL the process group led by `pid` (a child started in a session of its own),
    then `pid` itself in case it left the group; quietly if they are gone."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def kill_until_gone(list_pids, rounds):
    """SIGKILL what list_pids() returns until it returns nothing (True) or rounds run out."""
    for _ in range(rounds):
        pids = list_pids()
        if not pids:
            return True
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)
    return False
