"""Uids and processes: a jail's own unprivileged uid, and killing what a jail left behind.

When the grader runs as root, each jail (and in uid mode each child) gets a fresh
uid far above real accounts (UID_BASE + a random offset); `drop_to` switches to
it between fork and exec, `set_no_new_privs` keeps it from ever regaining
privilege. The kill helpers find a submission's processes however they detached:
by uid, by an environment marker (best effort), or by a caller's listing (a cgroup).
"""
import os
import random
import signal
import subprocess
import sys
import threading
import time

# Uids the grader hands out to jails when it runs as root: far above real accounts.
UID_BASE, UID_SPAN = 1_700_000, 200_000
_lock = threading.Lock()


def fresh_uid():
    return UID_BASE + random.SystemRandom().randrange(UID_SPAN)


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
            uid = fresh_uid()
            try:
                _python_as_other = subprocess.run(
                    [sys.executable, "-I", "-c", "import numpy"], cwd="/",
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, timeout=60,
                    preexec_fn=lambda: drop_to(uid)).returncode == 0
            except (OSError, subprocess.SubprocessError):
                _python_as_other = False
        return _python_as_other


def pids_of_uid(uid):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            st = os.stat(f"/proc/{entry}")
        except OSError:
            continue
        if st.st_uid == uid:
            pids.append(int(entry))
    return pids


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
