"""A fork server ("zygote"): heavy imports once per worker, a fresh process per submission.

Starting `python -I`, importing numpy, autograd (and torch) costs 0.3-2 s per
child. A zygote pays that once: it imports the assignment's preload modules
and check kinds, then waits. For each submission the parent sends it two fds
(the child's end of a control socket and the write end of an output pipe);
the zygote forks, and the fork sets its fds up exactly like `child.main`
expects (control on fds 0/1, student stdout+stderr to the capped pipe, stdin
/dev/null after `child.main` redirects it), starts its own session (process
group), chdirs into a fresh work dir holding a copy of the submission, and
serves that one submission. No state survives between students: every
submission gets a new process that never ran anyone else's code; the zygote
itself never runs student code.

Sandbox: the zygote runs inside one `sandbox.Jail` (bubblewrap when
available), so its forks inherit the jail's namespaces, uid and rlimits.
Since all of a worker's submissions share that jail, the zygote kills every
other process it can see (`kill(-1)`: the jail's own uid or pid namespace)
after each submission and before each fork: nothing one student left
running survives into the next student's process. A fork server that cannot
start falls back to fresh `isolation.ChildSession`s.

`ZygoteSession` has the session interface `grading.grade` expects
(start, probe, stop, output) and raises `isolation.ChildFault` like
`isolation.ChildSession`, which stays the simple path for single gradings.
"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from . import wire
from .isolation import GRADER_PARENT, ChildFault, OutputTap, child_env

BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); sys.argv[1:2] = []; "
        "import grader.zygote as z; z.zygote_main()")
_MAX_CONTROL = 65536
# Imported (best effort) by every zygote besides the assignment's preloads: what
# notebooks import at the top. matplotlib alone costs ~1 s per fresh process in a
# jail (it rebuilds its font cache), paid here once per worker instead.
WARM = ("matplotlib", "matplotlib.pyplot", "grader.notebook")


class Zygote:
    """Parent-side handle on one fork server for one assignment's preloads.

    Args: assignment: whose check kinds to preload; preload: module names
    (torch gets torch.set_num_threads(1)); launcher: argv prefix that wraps
    the zygote (a sandbox), or () to run it directly.
    """

    def __init__(self, assignment, preload, limits, launcher=(), env=None, sandbox=None,
                 start_timeout_s=120):
        self.assignment, self.preload, self.limits = assignment, list(preload), limits
        self.launcher, self.env, self.start_timeout_s = list(launcher), env, start_timeout_s
        self.sandbox = sandbox if sandbox is not None else _default_sandbox(limits)
        if getattr(self.sandbox, "mode", None) is None:
            self.sandbox = None
        self.proc = self.sock = self.jail = self.tap = None
        self.lock = threading.Lock()
        self.started_s, self.sweeps, self.wipes = None, False, []

    def start(self):
        """Start the fork server (inside its own jail when a sandbox is available)."""
        started = time.perf_counter()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cmd_lib, kwargs, sweep = GRADER_PARENT, {}, False
        if self.sandbox is not None:
            self.jail = self.sandbox.jail(None)
            cmd_lib = self.jail.child_lib
            kwargs = self.jail.popen_kwargs(self.env or child_env())
            kwargs["env"]["GRADER_JAIL"] = self.jail.token
            # With a uid of its own (or a pid namespace) the zygote may kill every
            # other process it can see before each fork: nothing a submission
            # left running survives into the next student's process.
            sweep = bool(self.jail.uid) or self.jail.mode == "bwrap"
            argv = self.jail.argv([sys.executable, "-I", "-c", BOOT, cmd_lib,
                                   str(theirs.fileno())])
        else:
            kwargs = {"env": self.env or child_env(), "start_new_session": True,
                      "preexec_fn": lambda: _set_rlimits(self.limits)}
            argv = [sys.executable, "-I", "-c", BOOT, cmd_lib, str(theirs.fileno())]
        self.sweeps = sweep
        # Files one submission leaves (in the jail's private /tmp and work dir) are
        # deleted before the next one runs; on a bare process only the jail's work
        # dir is ours to wipe (the host's /tmp is not).
        self.wipes = []
        if self.jail is not None:
            from .sandbox import CHILD_WORK
            self.wipes = (["/tmp", CHILD_WORK] if self.jail.mode == "bwrap"
                          else [self.jail.work])
        self.proc = subprocess.Popen(
            self.launcher + argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, pass_fds=[theirs.fileno()], **kwargs)
        theirs.close()
        self.sock = ours
        self.tap = OutputTap(self.proc.stderr, 16 * 1024)
        self._send({"op": "init", "assignment": self.assignment, "preload": self.preload,
                    "sweep": sweep, "wipe": self.wipes})
        reply = self._receive(self.start_timeout_s)
        if reply.get("op") != "ready":
            raise ChildFault("error", f"the grader's fork server failed to start: {reply}")
        self.started_s = time.perf_counter() - started
        return self

    def workdir(self, submission_path):
        """(host dir, dir as the child sees it) holding a copy of the submission, or Nones."""
        if self.jail is None:
            return None, None
        import tempfile
        from .sandbox import copy_submission
        host = tempfile.mkdtemp(dir=self.jail.work, prefix="s")
        if submission_path:
            copy_submission(submission_path, host, self.limits)
        if self.jail.uid:
            for dirpath, _dirs, files in os.walk(host):
                os.chown(dirpath, self.jail.uid, self.jail.uid)
                for f in files:
                    os.chown(os.path.join(dirpath, f), self.jail.uid, self.jail.uid)
        return host, self.jail.child_work + "/" + os.path.basename(host)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def fork(self, ctrl_fd, out_fd, cwd=None):
        """Fork a fresh child wired to (ctrl_fd, out_fd), working in `cwd`; returns its pid.

        Restarts the zygote once if it died (a crash there must cost no grade).
        """
        with self.lock:
            for attempt in (1, 2):
                if not self.alive():
                    self.close()
                    self.start()
                try:
                    self._send({"op": "fork", "cwd": cwd}, fds=[ctrl_fd, out_fd])
                    return int(self._receive(30)["pid"])
                except (ChildFault, OSError, KeyError, ValueError):
                    self.close()
                    if attempt == 2:
                        raise ChildFault("error", "the grader's fork server could not start a "
                                                  "process for this submission") from None

    def sweep(self):
        """Ask the zygote to kill whatever the last submission left running (if it may)."""
        with self.lock:
            try:
                self._send({"op": "sweep"})
                self._receive(10)
            except (ChildFault, OSError):
                pass

    def exit_status(self, pid, timeout_s=5.0):
        """The child's wait status as the zygote saw it (its parent), or None."""
        with self.lock:
            try:
                self._send({"op": "status", "pid": pid, "timeout": timeout_s})
                return self._receive(timeout_s + 5).get("status")
            except (ChildFault, OSError):
                return None

    def close(self):
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            self.proc = None
        if self.jail is not None:
            self.jail.cleanup()
            self.jail = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _send(self, message, fds=()):
        data = json.dumps(message).encode("utf-8")
        if fds:
            socket.send_fds(self.sock, [data], list(fds))
        else:
            self.sock.sendall(data)

    def _receive(self, timeout_s):
        self.sock.settimeout(timeout_s)
        try:
            data = self.sock.recv(_MAX_CONTROL)
        except socket.timeout:
            raise ChildFault("timeout", "the grader's fork server did not answer") from None
        if not data:
            raise ChildFault("error", "the grader's fork server died: "
                             + self.tap.text()[-2000:] if self.tap else "")
        return json.loads(data)


class _Tap:
    """Drains the child's output pipe, keeping the first `limit` bytes.

    Unlike waiting for end-of-file, `finish()` returns at once: the child
    flushes its output before every reply, so once the last reply is in,
    everything it printed is already in the pipe; a killed process with torch
    mapped takes ~15 ms to close its fds, which we need not wait for.
    """

    def __init__(self, fd, limit):
        self.fd, self.limit, self.kept, self.dropped = fd, limit, bytearray(), 0
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(fd, False)
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _keep(self, chunk):
        room = max(self.limit - len(self.kept), 0)
        self.kept += chunk[:room]
        self.dropped += max(len(chunk) - room, 0)

    def _read_available(self):
        """Read what is there now; False at end of file."""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not chunk:
                return False
            self._keep(chunk)

    def _drain(self):
        import select
        open_ = True
        while open_:
            ready, _, _ = select.select([self.fd, self.wake_r], [], [])
            if self.wake_r in ready:
                self._read_available()
                break
            open_ = self._read_available()
        os.close(self.fd)
        os.close(self.wake_r)

    def finish(self):
        try:
            os.write(self.wake_w, b"x")
        except OSError:
            pass
        self.thread.join(timeout=2)
        os.close(self.wake_w)

    def text(self):
        out = self.kept.decode("utf-8", "replace")
        return out + (f"\n[... {self.dropped} more bytes of output dropped]" if self.dropped else "")


class ZygoteSession:
    """One submission in a process forked from `zygote`; same interface as ChildSession."""

    def __init__(self, zygote, load_request, limits):
        self.zygote, self.load_request, self.limits = zygote, load_request, limits
        self.pid = self.ctrl = self.tap = self.host_dir = self.fallback = None
        self.infra_fault = False
        self.output_parts = []
        self.loaded = None

    def start(self):
        request = dict(self.load_request)
        self.host_dir, cwd = self.zygote.workdir(request.get("path"))
        if cwd and request.get("path"):
            request["path"] = cwd
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        try:
            self.pid = self.zygote.fork(theirs.fileno(), out_w, cwd)
        except ChildFault:
            # Our infrastructure failed, not the submission: grade it the slow way.
            os.close(out_r)
            ours.close()
            self._remove_workdir()
            return self._start_fallback()
        finally:
            theirs.close()
            os.close(out_w)
        self.ctrl = ours
        self.tap = _Tap(out_r, self.limits.output_kb * 1024)
        self._send(request)
        self.loaded = self._receive(time.monotonic() + self.limits.load_time_s)
        return self.loaded

    def _start_fallback(self):
        from .isolation import ChildSession
        kwargs = {"sandbox": self.zygote.sandbox} if self.zygote.sandbox is not None else {}
        self.fallback = ChildSession(self.load_request, self.limits, **kwargs)
        self.loaded = self.fallback.start()
        return self.loaded

    def probe(self, request, deadline):
        if self.fallback is not None:
            return self.fallback.probe(request, deadline)
        self._send(request)
        reply = self._receive(deadline)
        if reply.get("op") != "result":
            self.stop()
            raise ChildFault("error", "the grader child sent an unexpected reply")
        return reply

    def stop(self):
        if self.fallback is not None:
            return self.fallback.stop()
        if self.pid is None:
            return
        _kill_group(self.pid)
        if self.zygote.sweeps or self.zygote.wipes:
            # Kill what escaped the group (it would hold the pipe open) and delete the
            # files this submission left, before the next submission's process exists.
            self.zygote.sweep()
        self.ctrl.close()
        self.tap.finish()
        self.output_parts.append(self.tap.text())
        self.pid = None
        self._remove_workdir()

    def _remove_workdir(self):
        if self.host_dir:
            import shutil
            # Off the critical path; the jail's cleanup removes whatever is left.
            threading.Thread(target=shutil.rmtree, args=(self.host_dir, True),
                             daemon=True).start()
            self.host_dir = None

    def output(self):
        if self.fallback is not None:
            return self.fallback.output()
        return "".join(p for p in self.output_parts if p)

    def _send(self, message):
        body = json.dumps(message, allow_nan=False).encode("utf-8")
        try:
            self.ctrl.sendall(struct.pack(">Q", len(body)) + body)
        except OSError:
            pass  # the child died; _receive says so

    def _receive(self, deadline):
        try:
            (length,) = struct.unpack(">Q", self._read_exact(8, deadline))
            if length > wire.MAX_MESSAGE_BYTES:
                raise ChildFault("error", f"the submission returned {length} bytes of data, "
                                          "more than the grader accepts")
            return json.loads(self._read_exact(length, deadline).decode("utf-8"))
        except ChildFault:
            self.stop()
            raise
        except (ValueError, UnicodeDecodeError):
            self.stop()
            raise ChildFault("error", "the grader child sent malformed data") from None

    def _read_exact(self, n, deadline):
        buf = bytearray()
        while len(buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChildFault("timeout", "time limit exceeded")
            self.ctrl.settimeout(remaining)
            try:
                chunk = self.ctrl.recv(min(n - len(buf), 1 << 20))
            except socket.timeout:
                raise ChildFault("timeout", "time limit exceeded") from None
            except OSError:
                chunk = b""
            if not chunk:
                raise ChildFault("error", self._death_message())
            buf += chunk
        return bytes(buf)

    def _death_message(self):
        status = self.zygote.exit_status(self.pid)
        if status is None and not self.zygote.alive():
            self.infra_fault = True  # ours, not the submission's: grade-all retries it
            return "the grader's fork server stopped while grading"
        if status is None:
            return "the process ended unexpectedly"
        if os.WIFSIGNALED(status):
            sig = signal.Signals(os.WTERMSIG(status)).name
            if sig == "SIGKILL":
                return ("the process was killed (SIGKILL), most likely for using more "
                        f"than the {self.limits.memory_mb} MB memory limit")
            return f"the process was killed by {sig}"
        return (f"the process exited with code {os.WEXITSTATUS(status)}: does your code call "
                "exit(), sys.exit() or os._exit()?")


def _kill_group(pid):
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class ZygotePool:
    """One zygote per (thread, assignment): a worker thread grades with its own fork server.

    The sandbox is resolved once here, so `require_sandbox` fails before any
    grading starts (sandbox.SandboxUnavailable) rather than once per student.
    """

    def __init__(self, course, launcher=(), require_sandbox=False):
        self.course, self.launcher = course, launcher
        from . import isolation
        make = getattr(isolation, "default_sandbox", None)
        self.sandbox = make(course.spec.limits, require_sandbox) if make else None
        self.local = threading.local()
        self.all, self.lock = [], threading.Lock()

    @property
    def mode(self):
        return self.sandbox.mode if self.sandbox is not None else "none"

    def zygote(self, assignment):
        zygotes = self.local.__dict__.setdefault("zygotes", {})
        if assignment not in zygotes:
            z = Zygote(assignment, self.course.assignment(assignment).preload,
                       self.course.spec.limits, self.launcher, sandbox=self.sandbox)
            try:
                z.start()
            except (ChildFault, OSError):
                z.close()
                zygotes[assignment] = None  # do not retry for every submission
                raise
            zygotes[assignment] = z
            with self.lock:
                self.all.append(z)
        if zygotes[assignment] is None:
            raise ChildFault("error", "the fork server failed to start earlier")
        return zygotes[assignment]

    def session_factory(self, assignment):
        """A `grading.grade` session_factory forking from this thread's zygote."""
        limits = self.course.spec.limits

        def make(load_request):
            try:
                zygote = self.zygote(assignment)
            except (ChildFault, OSError) as err:
                # No fork server (e.g. preloads do not fit the memory limit): fresh
                # children still grade correctly, only slower. Never a student's zero.
                from .isolation import ChildSession
                print(f"grader: fork server unavailable ({err}); using fresh processes",
                      file=sys.stderr)
                kwargs = {"sandbox": self.sandbox} if self.sandbox is not None else {}
                return ChildSession(load_request, limits, **kwargs)
            return ZygoteSession(zygote, load_request, limits)
        return make

    def close(self):
        with self.lock:
            for z in self.all:
                z.close()
            self.all = []


# ------------------------------------------------------------- zygote side
def zygote_main():
    """The fork server's loop (runs in its own process; never runs student code)."""
    sock = socket.socket(fileno=int(sys.argv[1]))
    init = json.loads(sock.recv(_MAX_CONTROL))
    _preload(init["assignment"], init.get("preload", []))
    sweep, wipe = bool(init.get("sweep")), list(init.get("wipe") or [])
    keep = _listing(wipe)  # made by trusted code before any submission ran
    sock.sendall(json.dumps({"op": "ready"}).encode())
    statuses = {}
    while True:
        data, fds, _flags, _addr = socket.recv_fds(sock, _MAX_CONTROL, 4)
        if not data:
            os._exit(0)
        request = json.loads(data)
        _reap(statuses)
        if request["op"] == "fork":
            if sweep:
                _sweep(statuses)
            pid = _fork_child(sock, fds, request.get("cwd"))
            sock.sendall(json.dumps({"pid": pid}).encode())
        elif request["op"] == "sweep":
            if sweep:
                _sweep(statuses)
            if wipe:
                _wipe(wipe, keep)
            sock.sendall(b'{"op": "swept"}')
        elif request["op"] == "status":
            sock.sendall(json.dumps({"status": _wait(request["pid"], request["timeout"],
                                                     statuses)}).encode())


def _preload(assignment, modules):
    for module in modules:
        __import__(module)
        if module == "torch":
            import torch
            torch.set_num_threads(1)
            torch.set_num_interop_threads(1)
    from grader import child, registry  # noqa: F401 - imported once, inherited by forks
    registry.load_assignment_checks(assignment)
    for module in WARM:
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 - warming is an optimisation only
            pass
    import gc
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()  # keep the preloaded objects' pages shared between forks


def _fork_child(sock, fds, cwd):
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        return pid
    try:
        os.setsid()
        sock.close()
        if cwd:
            os.chdir(cwd)
        ctrl, out = fds
        os.dup2(ctrl, 0)
        os.dup2(ctrl, 1)
        os.dup2(out, 2)
        for fd in (ctrl, out):
            if fd > 2:
                os.close(fd)
        from grader import child
        child.main()  # control on fds 0/1, student output on 2, like a fresh child
    finally:
        os._exit(0)


def _listing(dirs):
    found = []
    for top in dirs:
        try:
            found += [os.path.join(top, name) for name in os.listdir(top)]
        except OSError:
            pass
    return found


def _wipe(dirs, keep):
    try:
        from grader.sandbox import wipe_between_submissions
    except ImportError:
        return
    wipe_between_submissions(dirs, keep)


def _sweep(statuses):
    """Kill every process this zygote may signal but itself (a uid or pid namespace of
    its own makes that exactly the previous submissions' leftovers), then reap."""
    try:
        os.kill(-1, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _reap(statuses)


def _set_rlimits(limits):
    """Fallback rlimits when no sandbox module decides them (same values as a child's)."""
    import resource
    mem = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024 * 1024,) * 2)


def _default_sandbox(limits):
    from . import isolation
    make = getattr(isolation, "default_sandbox", None)
    return make(limits) if make else None


def _reap(statuses):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        statuses[pid] = status
        if len(statuses) > 1000:
            statuses.pop(next(iter(statuses)))


def _wait(pid, timeout, statuses):
    deadline = time.monotonic() + timeout
    while pid not in statuses and time.monotonic() < deadline:
        _reap(statuses)
        time.sleep(0.005)
    return statuses.pop(pid, None)
