"""Where a submission's process runs: a bubblewrap jail, or a bare process.

Two modes, chosen by course.yml `limits.sandbox` (auto | bwrap | none):

bwrap  The child runs under bubblewrap with every namespace unshared: no
       network, its own pid namespace (when the jail's first process dies,
       the kernel kills every process in it, including ones that called
       setsid()), its own user namespace where it is uid/gid JAIL_UID (never
       0, also when the grader runs as root) without any capability
       (`--cap-drop ALL`), no_new_privs, the seccomp filter of
       grader/execution/seccomp.py (`--seccomp FD`), a private size-limited
       /tmp and /dev/shm, a read-only root, and a filesystem that holds
       only the OS (/usr, the Python install, the virtualenv; all read-only),
       a copy of the grader package without anything else at /sandbox/lib,
       and a private writable work dir at /sandbox/work holding a copy of the
       submission. solutions/, tests/, course.yml and other submissions are
       simply not mounted.
none   A plain child process in its own session, with the same resource
       limits and a private work dir as cwd, but nothing is hidden from it.

In both modes, when the grader runs as root the child runs under a fresh
unprivileged uid per jail, leased from course.yml's `limits.uid_base` /
`uid_count` (processes.lease_uid: no other jail, on this machine, has it while
it lives): RLIMIT_NPROC binds (it never binds root), the child cannot write
anything root owns, and `Jail.cleanup()` can find and kill every process the
submission left behind by its uid, wherever it detached to. In uid mode the child
also loses every capability from its bounding set, sets no_new_privs and loads
the STUDENT seccomp filter; a fork server's jail (`popen_kwargs(env,
fork_server=True)`) keeps CAP_SETUID/CAP_SETGID instead, to give each
submission it forks a uid of its own (grader/execution/forkserver.py).

Interface for other session types (e.g. a fork server that pays the heavy
imports once): `Sandbox.from_limits(limits)` once per process, then per
jail `jail = sandbox.jail(submission_dir)`; `jail.argv(cmd, profile)` is the
command wrapped by the launcher (bwrap ... -- cmd, or cmd itself; `profile`
names the seccomp filter), `jail.popen_kwargs()` gives cwd, env, pass_fds
(the filter's fd) and the preexec hook (uid drop + rlimits) for
subprocess.Popen, `jail.close_launch_fds()` closes the filter's fd once the
launcher runs, `jail.child_lib` is the path where the child must put the
grader package on sys.path, and `jail.cleanup()` kills every process of the
jail and removes its dirs (idempotent). A fork server runs inside one jail
(profile seccomp.FORKSERVER); in bwrap mode each of its children builds a
world of its own before running student code (grader/child/isolate.py);
in uid mode each child gets a uid of its own, and the grader kills what a
submission left by that uid (grader/execution/forkserver.py). The jail's cleanup
is the backstop.
"""
import os
import secrets
import shutil
import subprocess
import sys
import tempfile

try:  # POSIX only: rlimits are set for official grading (Linux); check() on Windows never needs them
    import resource
except ImportError:
    resource = None
import threading
from pathlib import Path
from grader import PACKAGE_DIR
from grader.execution.cgroups import JailCgroup
from grader.execution.processes import (  # noqa: F401 - some re-exported
    NoFreeUid,
    drop_all_preexec,
    drop_to,
    keep_setid_preexec,
    kill_marked,
    lease_uid,
    kill_uid,
    pids_of_uid,
    set_no_new_privs,
    student_seccomp,
    uid_can_run_python,
    uid_drop_possible)
from grader.execution import seccomp
from grader.submission.inputs import regular_files

MODES = ("auto", "bwrap", "none")
NO_SANDBOX_NOTE = ("graded WITHOUT a sandbox (--allow-unsandboxed: no bubblewrap and no "
                   "unprivileged uid to run it as): the submission ran as the grader's own "
                   "user and could read and change its files, including this report")
UID_NOTE = ("graded without bubblewrap, as an unprivileged uid of its own: the submission "
            "could use the network and read the machine's world-readable files, but not the "
            "grader, course.yml, the results or other submissions")
# How the submissions of a run are isolated (Sandbox.isolation), from strong to none.
ISOLATIONS = ("bwrap", "uid", "unsandboxed")


def isolation_note(isolation):
    """The note every report of a run with this isolation carries (None for bwrap);
    'none', the old name, means unsandboxed."""
    return {"uid": UID_NOTE, "unsandboxed": NO_SANDBOX_NOTE, "none": NO_SANDBOX_NOTE}.get(
        isolation)
CHILD_ROOT = "/sandbox"
CHILD_LIB = CHILD_ROOT + "/lib"
CHILD_WORK = CHILD_ROOT + "/work"
# The uid and gid student code has inside bubblewrap's user namespace: not 0, so
# nothing in the jail treats it as root (and it holds no capability anyway).
JAIL_UID = JAIL_GID = 1000
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives",
             "nsswitch.conf", "ssl", "ca-certificates", "fonts")

_warned = set()
_lock = threading.RLock()
_muted = threading.local()  # .on: a student's self-check is resolving the mode (resolve_mode)


class SandboxUnavailable(RuntimeError):
    """The course or command line asked for a sandbox this machine cannot give."""


def warn_once(key, text):
    """Print `text` to stderr once per process (the 'say it loudly, once' rule)."""
    if getattr(_muted, "on", False):
        return  # not marked as said: official grading later in this process still says it
    with _lock:
        if key in _warned:
            return
        _warned.add(key)
    print(f"grader: WARNING: {text}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ probing
_bwrap_ok = None


def bwrap_path():
    return shutil.which("bwrap")


def bwrap_works():
    """True if `bwrap` exists and can build the jail we need (tried once per process)."""
    global _bwrap_ok
    with _lock:
        if _bwrap_ok is None:
            _bwrap_ok = _try_bwrap()
        return _bwrap_ok


def _try_bwrap():
    """bwrap as a fresh uid if we are root and that uid can reach Python, else as ourselves."""
    exe = bwrap_path()
    if not exe:
        return False
    lease = lease_uid() if os.geteuid() == 0 else None
    try:
        return _try_bwrap_as([lease.uid] if lease else [], exe)
    finally:
        if lease:
            kill_uid(lease.uid)
            lease.release()


def _try_bwrap_as(uids, exe):
    global _bwrap_drops_uid
    err = b""
    for uid in [*uids, None]:
        argv = [exe, *_UNPRIVILEGED, "--die-with-parent", "--new-session",
                *_system_binds(), "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/",
                "--", sys.executable, "-I", "-c", "import numpy"]
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=60, cwd="/",
                                  preexec_fn=(lambda u=uid: drop_to(u)) if uid else None)
        except (OSError, subprocess.SubprocessError) as exc:
            err = str(exc).encode()
            continue
        if done.returncode == 0:
            _bwrap_drops_uid = uid is not None
            return True
        err = done.stderr
    warn_once("bwrap-broken", "bubblewrap is installed but cannot start a jail here: "
              + err.decode("utf-8", "replace").strip()[:300])
    return False


def probe_in_background(quiet=False):
    """Start bwrap_works() in a daemon thread: a command that will need a child lets the
    probe's jail start (0.2-1 s of wall) while it loads course.yml and the submission;
    resolve_mode then waits for the result under the lock. quiet: as for resolve_mode (a
    student's self-check: a broken bwrap's warning is not printed from here)."""
    def probe():
        _muted.on = quiet
        bwrap_works()
    thread = threading.Thread(target=probe, name="sandbox-probe", daemon=True)
    thread.start()
    return thread


_bwrap_drops_uid = False
# Every bwrap the grader starts: all namespaces, an unprivileged uid/gid inside, no capability.
_UNPRIVILEGED = ("--unshare-all", "--unshare-user", "--uid", str(JAIL_UID), "--gid", str(JAIL_GID),
                 "--cap-drop", "ALL")


# A child process with limits needs POSIX (preexec_fn, sessions, rlimits): say so, not a traceback.
WINDOWS = ("running submissions in a child process with limits needs Linux or macOS, and this "
           "is Windows: use check(\"...\") in the notebook, or this command in WSL")


def _windows():
    return sys.platform == "win32"


def resolve_mode(wanted, require=False, quiet=False):
    """The mode to use: 'bwrap' or 'none'. Raises SandboxUnavailable when
    `wanted` is 'bwrap' or `require` is set and bwrap cannot run.

    quiet: a student's self-check (`grader check`) of their own code on their own machine:
    the warnings about weaker isolation are the instructor's (they name requirements.lock
    and --require-sandbox) and are not printed; official grading always prints them."""
    if wanted not in MODES:
        raise ValueError(f"sandbox mode must be one of {', '.join(MODES)}, not {wanted!r}")
    if _windows():
        raise SandboxUnavailable(WINDOWS)
    _muted.on = quiet
    try:
        return _resolve_mode(wanted, require)
    finally:
        _muted.on = False


def _resolve_mode(wanted, require):
    if wanted == "none" and not require:
        return "none"
    if bwrap_works():
        _check_seccomp(require)
        return "bwrap"
    why = ("bubblewrap (`bwrap`) is not installed" if not bwrap_path()
           else "bubblewrap cannot create a jail on this machine (user namespaces disabled?)")
    if wanted == "bwrap" or require:
        raise SandboxUnavailable(f"a sandbox is required but {why}; install the OS package "
                                 "`bubblewrap` (or run without --require-sandbox)")
    if uid_drop_possible():
        warn_once("no-sandbox", f"NO BUBBLEWRAP: {why}. Submissions run as an unprivileged "
                  "uid of their own; official grading closes the grader's files, course.yml, "
                  "the results and the submissions to that uid. They can still use the "
                  "network. Use --require-sandbox to refuse to grade like this.")
    else:
        warn_once("no-sandbox", f"NO SANDBOX: {why}, and no unprivileged uid to run "
                  "submissions as. They run as plain processes of your user: they can read "
                  "any file you can (including solutions/ and hidden checks) and use the "
                  "network. Official grading refuses unless --allow-unsandboxed.")
    return "none"


# ------------------------------------------------------------ where jails live
_jail_base = None


def traversable_by_others(path):
    """True if a process of an unrelated uid (no group in common) can reach `path`:
    every directory on the way has the others' x bit."""
    path = os.path.realpath(path)
    while True:
        try:
            if not os.stat(path).st_mode & 0o001:
                return False
        except OSError:
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


def jail_base():
    """The folder for jails and the staged grader: the temp dir, unless a dropped uid
    could not reach it (TMPDIR below a 0700 dir), then a 0711 folder of our own in
    the first world-traversable one of /tmp, /var/tmp, /dev/shm (removed at exit)."""
    global _jail_base
    with _lock:
        if _jail_base is None:
            _jail_base = tempfile.gettempdir()
            if os.geteuid() == 0 and not traversable_by_others(_jail_base):
                import atexit
                top = next((d for d in ("/tmp", "/var/tmp", "/dev/shm")
                            if traversable_by_others(d)), _jail_base)
                _jail_base = tempfile.mkdtemp(prefix="grader-jails-", dir=top)
                os.chmod(_jail_base, 0o711)
                atexit.register(shutil.rmtree, _jail_base, True)
        return _jail_base
def _check_seccomp(require):
    """bwrap without its seccomp filter still drops every capability, but the list of
    seccomp.py is the second wall: refuse under --require-sandbox, warn loudly otherwise."""
    why = seccomp.unavailable_reason()
    if why is None:
        return
    if require:
        raise SandboxUnavailable(f"a sandbox is required but its seccomp filter cannot be "
                                 f"built: {why}")
    warn_once("no-seccomp", f"NO SECCOMP FILTER: {why}. Submissions run in bubblewrap "
              "without capabilities, but the system calls listed in grader/execution/"
              "seccomp.py (ptrace, unshare, mount, keyctl, bpf, ...) are not blocked. Use "
              "--require-sandbox to refuse to grade like this.")


def seccomp_fd(profile):
    """An fd holding `profile`'s BPF for bwrap --seccomp, or None without a binding."""
    if seccomp.unavailable_reason() is not None:
        return None
    return seccomp.bpf_fd(profile)


# ------------------------------------------------------------ the grader lib
_staged_lib = None


def staged_grader_lib():
    """A private copy of the grader package alone (no solutions/, tests/, course.yml
    next to it, check modules cut down to their probes by probe_lib), made once
    per process and removed at exit."""
    global _staged_lib
    with _lock:
        if _staged_lib is None or not Path(_staged_lib, "grader").is_dir():
            import atexit
            here = PACKAGE_DIR
            lib = tempfile.mkdtemp(prefix="grader-lib-", dir=jail_base())
            shutil.copytree(here, Path(lib, "grader"),
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            # The child gets probes only: no expected values it could import.
            from grader.execution.staging import strip_package
            strip_package(Path(lib, "grader", "checks"))
            _make_world_readable(lib)
            atexit.register(shutil.rmtree, lib, True)
            _staged_lib = lib
        return _staged_lib


def _make_world_readable(top):
    for dirpath, dirnames, filenames in os.walk(top):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)


# ------------------------------------------------------------------ sandbox
class Sandbox:
    """The mode and limits, resolved once; makes one Jail per child process."""

    def __init__(self, mode, limits):
        self.mode, self.limits = mode, limits

    @classmethod
    def from_limits(cls, limits, require=False, quiet=False):
        return cls(resolve_mode(limits.sandbox, require, quiet), limits)

    @property
    def isolation(self):
        """'bwrap'; 'uid' (no bwrap, but the child drops to an unprivileged uid of its
        own: the grader runs as root and that uid can run Python); or 'unsandboxed'."""
        if self.mode == "bwrap":
            return "bwrap"
        return "uid" if uid_drop_possible() else "unsandboxed"

    def require_isolation(self, allow_unsandboxed=False):
        """Official grading: raise SandboxUnavailable when student code would run as the
        grader's own user, unless the instructor allowed it (--allow-unsandboxed)."""
        if self.isolation == "unsandboxed" and not allow_unsandboxed:
            why = ("bubblewrap cannot run here" if self.mode == "none" and self.limits.sandbox
                   != "none" else "course.yml says sandbox: none")
            raise SandboxUnavailable(
                f"refusing to grade without a sandbox: {why}, and student code cannot run as "
                "an unprivileged uid (the grader is not root, or other uids cannot run this "
                "Python). It would run as you and could read solutions and forge results. "
                "Install bubblewrap, run as root with a Python other users can run, or pass "
                "--allow-unsandboxed if you trust every submission.")
        return self

    def jail(self, submission_dir=None):
        return Jail(self, submission_dir)


class Jail:
    """One child's private world: work dir, /tmp, uid, launcher argv."""

    def __init__(self, sandbox, submission_dir=None):
        self.sandbox, self.mode, self.limits = sandbox, sandbox.mode, sandbox.limits
        self.token = secrets.token_hex(12)
        # NoFreeUid (an OSError) before anything is made
        self.lease = (lease_uid(self.limits) if os.geteuid() == 0 and self._can_drop()
                      else None)
        self.uid = self.lease.uid if self.lease else None
        self.root = tempfile.mkdtemp(prefix="grader-jail-", dir=jail_base())
        self.work = os.path.join(self.root, "work")
        os.mkdir(self.work)
        if submission_dir:
            copy_submission(submission_dir, self.work, self.limits)
        # Process cap, CPU accounting and a CPU share of its own (grader/execution/cgroups.py).
        self.cgroup = JailCgroup.create(self.token, self.limits.max_processes)
        if self.uid:
            chown_tree(self.root, self.uid)
        os.chmod(self.work, 0o700)
        os.chmod(self.root, 0o700 if not self.uid else 0o711)
        self.lib = staged_grader_lib()
        self.cleaned = False
        self.seccomp = student_seccomp() if self.uid and self.mode != "bwrap" else None
        self.launch_fds = []

    def _can_drop(self):
        # The uid that runs bwrap (or the bare child) must be able to reach the Python install.
        return _bwrap_drops_uid if self.mode == "bwrap" else uid_can_run_python()

    @property
    def child_lib(self):
        return CHILD_LIB if self.mode == "bwrap" else self.lib

    @property
    def child_work(self):
        return CHILD_WORK if self.mode == "bwrap" else self.work

    def argv(self, cmd, profile=seccomp.STUDENT):
        """`cmd` wrapped by the launcher. In bwrap mode `profile` names the seccomp filter
        (seccomp.STUDENT, or seccomp.FORKSERVER for a fork server whose children load
        STUDENT themselves); its fd is in popen_kwargs()["pass_fds"] until
        close_launch_fds()."""
        if self.mode != "bwrap":
            return list(cmd)
        tmp_bytes = str(self.limits.tmp_mb * 1024 * 1024)
        fd = seccomp_fd(profile)
        filt = ["--seccomp", str(fd)] if fd is not None else []
        if fd is not None:
            self.launch_fds.append(fd)
        # The private /tmp is mounted first: binds that follow may sit below it
        # (a checkout or virtualenv under /tmp must stay visible). The root and /dev
        # (tmpfs made by bwrap, owned by the jail's uid) are remounted read-only last.
        # --as-pid-1: no bwrap reaper beside the child (another process of its uid whose
        # memory it could read through /proc); the child is the jail's pid 1.
        return [bwrap_path(), *_UNPRIVILEGED, *filt, "--as-pid-1", "--die-with-parent",
                "--new-session",
                "--size", tmp_bytes, "--tmpfs", "/tmp",
                *_system_binds(),
                "--proc", "/proc", "--dev", "/dev",
                "--size", tmp_bytes, "--tmpfs", "/dev/shm",
                "--ro-bind", self.lib, CHILD_LIB,
                "--bind", self.work, CHILD_WORK,
                "--remount-ro", "/dev", "--remount-ro", "/",
                "--chdir", CHILD_WORK, "--setenv", "HOME", CHILD_WORK,
                "--setenv", "TMPDIR", "/tmp",
                "--", *cmd]

    @property
    def forks_own_uids(self):
        """uid mode: a fork server in this jail keeps CAP_SETUID/CAP_SETGID (and nothing
        else) to give each submission it forks a uid of its own."""
        return bool(self.uid) and self.mode != "bwrap"

    def popen_kwargs(self, env, fork_server=False):
        """Popen arguments; `fork_server` (uid mode): keep CAP_SETUID/CAP_SETGID."""
        preexec = self._preexec
        if self.forks_own_uids:
            become = keep_setid_preexec(self.uid) if fork_server else drop_all_preexec()
            preexec = lambda: self._preexec(become)  # noqa: E731
        return {"cwd": self.work, "env": dict(env, HOME=self.child_work),
                "start_new_session": True, "preexec_fn": preexec,
                "pass_fds": list(self.launch_fds)}

    def close_launch_fds(self):
        """Close the fds bwrap was given (call once the launcher has started)."""
        for fd in self.launch_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.launch_fds = []

    def _preexec(self, become=None):
        """Between fork and exec: rlimits, cgroup, then the jail's uid (`become(uid)` drops
        to it instead of drop_to, for a uid-mode fork server), no_new_privs, seccomp."""
        lim = self.limits
        mem = lim.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        fsize = lim.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        if self.cgroup:
            self.cgroup.enter()
        if self.uid:
            (become or drop_to)(self.uid)
            # Counted per uid, and this uid is the jail's alone.
            resource.setrlimit(resource.RLIMIT_NPROC, (lim.max_processes, lim.max_processes))
            if self.mode != "bwrap":  # uid mode: nothing can give the privileges back
                set_no_new_privs()
                if self.seccomp is not None:
                    self.seccomp[1](self.seccomp[0])

    def cleanup(self):
        """Kill every process of this jail (idempotent) and remove its files."""
        self.close_launch_fds()
        if self.cgroup:
            self.cgroup.kill_all()
        if self.uid:
            if kill_uid(self.uid) and self.lease:
                self.lease.release()   # only once nothing of it is left
        elif not self.cgroup:
            kill_marked(self.token)
        if not self.cleaned:
            if self.cgroup:
                self.cgroup.remove()
            self.cleaned = True
            shutil.rmtree(self.root, ignore_errors=True)


def chown_tree(top, uid):
    """Give `top` and everything below it to uid:uid (the jail's own user)."""
    for dirpath, _dirnames, filenames in os.walk(top):
        os.chown(dirpath, uid, uid)
        for f in filenames:
            os.chown(os.path.join(dirpath, f), uid, uid)


def copy_submission(src, dst, limits=None):
    """Copy the files of a submission folder into the jail's work dir: exactly
    submission.inputs.regular_files (no links, no .git/ or other skipped folders, the
    files grade-all's cache key covers), bounded in count and size."""
    src = Path(src)
    max_bytes = limits.submission_mb * 1024 * 1024
    total, count = 0, 0
    files = [src] if src.is_file() else regular_files(src, limits)
    for path in files:
        if path.is_symlink() or not path.is_file():
            continue
        total += path.stat().st_size
        count += 1
        if total > max_bytes or count > 2000:
            break
        rel = path.name if path == src else path.relative_to(src)
        target = Path(dst, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


# ------------------------------------------------------------ mount helpers
def _system_binds():
    """Read-only binds of the OS and the Python install (symlinked dirs stay symlinks)."""
    args, covered = [], []
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
            covered.append(d)
    for d in python_dirs():
        if not any(d == c or d.startswith(c + "/") for c in covered):
            args += ["--ro-bind", d, d]
            covered.append(d)
    for name in ETC_FILES:
        p = os.path.join("/etc", name)
        if os.path.exists(p):
            args += ["--ro-bind", p, p]
    return args


def python_dirs():
    """The interpreter's install and the virtualenv, by real path."""
    dirs = []
    for p in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))):
        real = os.path.realpath(p)
        if real not in dirs:
            dirs.append(real)
    if sys.prefix != os.path.realpath(sys.prefix):
        dirs.append(sys.prefix)  # the venv as the child's sys.executable names it
    return sorted(dirs, key=len)
