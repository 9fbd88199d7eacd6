"""The seccomp filter every process of a submission runs under (bubblewrap and uid mode).

Built with libseccomp through its Python binding `pyseccomp` (a ctypes binding,
pinned in requirements.lock; libseccomp.so.2 comes from the OS) and handed to
bubblewrap as a compiled BPF program (`bwrap --seccomp FD`), or, for the fork
server's children, applied by the child itself (grader/child/isolate.py) from the
same bytes; in uid mode the grader loads it between fork and exec, after the uid
drop (sandbox.Jail), and a uid-mode fork server's forks inherit it. The filter
allows everything but the system calls below, which fail with EPERM (a Python
program sees PermissionError, never a crash of the grader):

  ptrace, process_vm_readv, process_vm_writev
      reading or writing another process's memory: the fork server and other
      students' processes (grade-all) are the prize.
  pidfd_open, pidfd_getfd, pidfd_send_signal, process_madvise, process_mrelease,
  kcmp
      handles on other processes: pidfd_getfd copies a file descriptor out of
      another process (the fork server's control socket to the grader),
      pidfd_send_signal signals it, process_madvise / process_mrelease act on its
      memory, kcmp compares its open files and memory with ours (a probe of what
      it holds). The uid each submission has already refuses them across uids;
      no exercise needs them, so they are refused for every process as well.
  mount, umount2, pivot_root, chroot, fsopen, fsconfig, fsmount, fspick,
  open_tree, move_mount, mount_setattr
      remounting the read-only binds (/usr, the Python install, the staged
      grader) writable, or uncovering what the jail's mounts hide.
  unshare, setns, clone with any CLONE_NEW* flag
      a fresh user namespace hands out every capability again (inside it):
      the way to mount, and the kernel's largest attack surface for a
      process without privileges.
  clone3 -> ENOSYS
      its flags sit in memory, where seccomp cannot look; ENOSYS makes glibc
      fall back to clone, whose flags it can check.
  keyctl, add_key, request_key
      kernel keyrings are not namespaced: the grader's uid's keys.
  bpf, perf_event_open, userfaultfd, io_uring_setup, io_uring_enter,
  io_uring_register
      interfaces behind many kernel exploits, needed by no exercise.
  kexec_load, kexec_file_load, init_module, finit_module, delete_module,
  open_by_handle_at, name_to_handle_at, quotactl, swapon, swapoff, reboot,
  acct, syslog, iopl, ioperm
      the machine itself: none of them is needed, most need capabilities
      the jail does not have anyway (defence in depth).

Only the native architecture's calls pass: a call through another ABI (32-bit
`int 0x80` on x86-64, x32) kills the process (libseccomp's bad-arch action), so
the list cannot be dodged by a second syscall table.

Deny list, not allow list (measured, issue 18). Under `strace -f -ff`, the whole
selftest (134 cases: references, stubs, 96 mutants, 34 alternatives of both
assignments, bwrap mode, fork server) and grade-all of the 8 example submissions
ran student code in 147 processes. After the STUDENT filter was loaded they used
16 distinct calls, the same 16 in both corpora:
    brk close dup2 exit_group fcntl futex getdents64 getrandom ioctl lseek mkdir
    mmap newfstatat openat read write
(few, because a fork of the warm fork server has already started Python and
imported numpy, autograd and torch). The whole run, the grader, bwrap, fresh
interpreters and their imports included, used 102. Decision: no allow list. An
allow list of the 16 would turn ordinary correct code into errors that look like
the student's (time.sleep is clock_nanosleep, subprocess needs pipe2, threads
sched_getaffinity and madvise, savefig rename and unlink, multiprocessing
socketpair and sendmsg: none of them in the 16), and a fresh child (`grader
grade`, pytest) needs the interpreter's start-up on top. A list generous enough
for all that (the 102 and the stdlib's usual calls, some 150 of about 360) would
still close more than this deny list, but each call it misses is an unexplained
error of a correct student, and our corpus (written by us) cannot show which
those are: measure on real submissions before making it an option. The
separation of submissions rests on the uid or namespaces of each one, not on
this filter.

Two profiles: STUDENT (the whole list; every process that runs student code)
and FORKSERVER (the list minus unshare, setns and mount, which the fork server and
its children need to build each submission's own namespaces before the child
loads the STUDENT filter; filters stack, so the stricter one wins in the child).
"""
import errno
import functools
import os
import threading

STUDENT, FORKSERVER = "student", "forkserver"
DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev",
    "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "process_madvise", "process_mrelease",
    "kcmp",
    "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick",
    "open_tree", "move_mount", "mount_setattr",
    "unshare", "setns",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "open_by_handle_at", "name_to_handle_at", "quotactl", "swapon", "swapoff", "reboot",
    "acct", "syslog", "iopl", "ioperm",
)
# What the fork server's children must still do before they load STUDENT.
FORKSERVER_NEEDS = ("unshare", "setns", "mount")
CLONE_NEW_FLAGS = {"CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000,
                   "CLONE_NEWUTS": 0x04000000, "CLONE_NEWIPC": 0x08000000,
                   "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
                   "CLONE_NEWNET": 0x40000000}

_lock = threading.Lock()


class SeccompUnavailable(RuntimeError):
    """The seccomp binding or libseccomp itself is missing on this machine."""


def unavailable_reason():
    """None if filters can be built here, else why not (one sentence)."""
    try:
        _binding()
    except SeccompUnavailable as err:
        return str(err)
    return None


def _binding():
    try:
        import pyseccomp
    except ImportError:
        raise SeccompUnavailable("the Python package `pyseccomp` (libseccomp's binding) is "
                                 "not installed: pip install the requirement file you grade with "
                                 "(requirements.lock, or a bundle's requirements-grading.txt)") from None
    except (RuntimeError, OSError) as err:  # it raises RuntimeError without libseccomp.so
        raise SeccompUnavailable(f"libseccomp cannot be loaded ({err}): install the OS "
                                 "package libseccomp2") from None
    return pyseccomp


@functools.lru_cache(maxsize=None)
def filter_bpf(profile=STUDENT):
    """The compiled BPF program (bytes: struct sock_filter[], 8 bytes each) of `profile`."""
    sc = _binding()
    denied = [n for n in DENIED if profile == STUDENT or n not in FORKSERVER_NEEDS]
    filt = sc.SyscallFilter(sc.ALLOW)
    for name in denied:
        _deny(sc, filt, name, errno.EPERM)
    _deny(sc, filt, "clone3", errno.ENOSYS)
    if profile == STUDENT:
        # clone's first argument holds its flags on every architecture we run on.
        for flag in CLONE_NEW_FLAGS.values():
            filt.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    with _lock:
        fd = os.memfd_create("grader-seccomp")
        try:
            with os.fdopen(os.dup(fd), "wb") as fh:
                filt.export_bpf(fh)
            return os.pread(fd, 1 << 20, 0)
        finally:
            os.close(fd)


def _deny(sc, filt, name, err):
    try:
        filt.add_rule(sc.ERRNO(err), name)
    except (OSError, RuntimeError, ValueError):
        # A name this libseccomp or architecture does not know (e.g. iopl on arm64)
        # cannot be called here either.
        pass


def bpf_fd(profile=STUDENT):
    """A fresh readable fd holding `profile`'s program, positioned at 0 (for bwrap --seccomp,
    which reads it to the end). The caller closes it."""
    fd = os.memfd_create("grader-seccomp")
    os.write(fd, filter_bpf(profile))
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
