"""The seccomp filter (grader/execution/seccomp.py) and the child's loader (grader/child/isolate.py).

Each check forks, loads a filter in the fork only, tries system calls there and reports
the errnos through a pipe: the test process itself is never filtered.
"""
import ctypes
import errno
import json
import os

import pytest

from grader.child import isolate
from grader.execution import sandbox, seccomp

pytestmark = pytest.mark.skipif(seccomp.unavailable_reason() is not None,
                                reason=f"no seccomp binding: {seccomp.unavailable_reason()}")
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
SIGCHLD = 17
# Calls that act on another process (the fork server, another student's process).
CROSS_PROCESS = ("pidfd_open", "pidfd_getfd", "pidfd_send_signal", "process_madvise",
                 "process_mrelease", "kcmp", "process_vm_readv")


def _errnos_in_fork(profile):
    """errno of each attempt (0 = it worked) in a fork that loaded `profile` via the loader."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        out = {}
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            libc.syscall.argtypes = [ctypes.c_long] * 6
            isolate.drop_privileges(seccomp.filter_bpf(profile))

            def attempt(name, *args):
                ctypes.set_errno(0)
                result = libc.syscall(*args, *([0] * (6 - len(args))))
                out[name] = ctypes.get_errno() if result == -1 else 0
                if name == "clone_plain" and result == 0:
                    os._exit(0)  # the clone's child
                if name == "clone_plain" and result > 0:
                    os.waitpid(result, 0)
            attempt("ptrace", 101, 16, os.getppid())                 # PTRACE_ATTACH
            attempt("unshare_user", 272, CLONE_NEWUSER)
            attempt("unshare_ns", 272, CLONE_NEWNS)
            attempt("mount", 165, 0, 0, 0, 0)
            attempt("keyctl", 250, 0)
            attempt("bpf", 321, 0)
            attempt("clone3", 435, 0, 0)
            attempt("clone_newuser", 56, CLONE_NEWUSER | SIGCHLD)
            attempt("clone_plain", 56, SIGCHLD)                     # what fork() is
            attempt("pidfd_open", 434, os.getppid(), 0)
            attempt("pidfd_getfd", 438, 0, 0, 0)
            attempt("pidfd_send_signal", 424, 0, 0, 0, 0)
            attempt("process_madvise", 440, 0, 0, 0, 0, 0)
            attempt("process_mrelease", 448, 0, 0)
            attempt("kcmp", 312, os.getpid(), os.getppid(), 1, 0, 0)    # KCMP_VM
            attempt("process_vm_readv", 310, os.getppid(), 0, 0, 0, 0, 0)
            out["pid"] = os.getpid()
        except Exception as err:  # noqa: BLE001 - reported to the test
            out["error"] = repr(err)
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers of x86-64")
def test_student_filter_denies_the_dangerous_calls_and_allows_fork():
    got = _errnos_in_fork(seccomp.STUDENT)
    assert "error" not in got, got
    for name in ("ptrace", "unshare_user", "unshare_ns", "mount", "keyctl", "bpf",
                 "clone_newuser", *CROSS_PROCESS):
        assert got[name] == errno.EPERM, (name, got)
    assert got["clone3"] == errno.ENOSYS, got       # glibc then falls back to clone
    assert got["clone_plain"] == 0, got             # an ordinary fork still works


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers of x86-64")
def test_forkserver_filter_leaves_unshare_and_mount_to_build_a_world():
    got = _errnos_in_fork(seccomp.FORKSERVER)
    assert "error" not in got, got
    assert got["ptrace"] == errno.EPERM and got["keyctl"] == errno.EPERM, got
    assert all(got[name] == errno.EPERM for name in CROSS_PROCESS), got
    assert got["clone3"] == errno.ENOSYS, got
    # unshare works (a user namespace first, then a mount namespace it owns), and mount
    # reaches the kernel: its null arguments fail, not the filter
    assert got["unshare_user"] == 0 and got["unshare_ns"] == 0, got
    assert got["mount"] not in (0, errno.EPERM), got


def test_denied_list_covers_the_issue():
    required = {"ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2",
                "pivot_root", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf",
                "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load",
                "init_module", "finit_module", "delete_module"}
    assert required <= set(seccomp.DENIED)
    assert {"pidfd_open", "pidfd_getfd", "pidfd_send_signal", "process_madvise",
            "process_mrelease", "kcmp"} <= set(seccomp.DENIED)
    assert set(seccomp.FORKSERVER_NEEDS) == {"unshare", "setns", "mount"}
    undocumented = [n for n in seccomp.DENIED if n not in seccomp.__doc__]
    assert undocumented == [], f"the module docstring does not say why: {undocumented}"
    assert len(seccomp.filter_bpf(seccomp.STUDENT)) % 8 == 0


def test_missing_binding_refuses_required_sandbox(monkeypatch):
    monkeypatch.setattr(seccomp, "unavailable_reason", lambda: "pyseccomp is not installed")
    with pytest.raises(sandbox.SandboxUnavailable, match="seccomp"):
        sandbox._check_seccomp(require=True)
    sandbox._check_seccomp(require=False)   # a loud warning, grading goes on
    assert sandbox.seccomp_fd(seccomp.STUDENT) is None
