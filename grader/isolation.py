"""Parent side of the process boundary: one child process per submission.

`ChildSession` starts `python -I -m grader.child` in a new session (its own
process group) with resource limits, sends it the submission, and asks it to
run probes under deadlines. A probe that overruns, or a child that dies, is
killed with its whole process group; the session restarts the child for the
next exercise, so a fault costs only the checks it touches.
"""
import os
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import sandbox as sandboxing
from . import wire

GRADER_PARENT = str(Path(__file__).resolve().parent.parent)
BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); sys.argv[1:2] = []; "
        "import grader.child as c; c.main()")


class ChildFault(Exception):
    """The child died, timed out or sent something that is not our protocol."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class OutputTap:
    """Drains the child's stdout+stderr pipe, keeping only the first `limit` bytes."""

    def __init__(self, stream, limit):
        self.limit, self.kept, self.dropped = limit, bytearray(), 0
        self.thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self.thread.start()

    def _drain(self, stream):
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                return
            room = self.limit - len(self.kept)
            self.kept += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self):
        out = self.kept.decode("utf-8", "replace")
        return out + (f"\n[... {self.dropped} more bytes of output dropped]" if self.dropped else "")


class ChildSession:
    """A running child that has loaded one submission.

    Args: load_request: the "load" message (assignment, preload, chunks,
    path); limits: config.Limits; sandbox: a sandbox.Sandbox (default: the
    mode course.yml asks for, resolved once per process); launcher: an extra
    argv prefix put in front of the jail's own; cwd, env: override the jail's.
    Each session gets its own sandbox.Jail (work dir, uid, launcher), and
    stop() kills every process of that jail.
    """

    def __init__(self, load_request, limits, launcher=(), cwd=None, env=None, sandbox=None):
        self.load_request, self.limits = load_request, limits
        self.launcher, self.cwd, self.env = list(launcher), cwd, env
        self.sandbox = sandbox or default_sandbox(limits)
        self.proc = self.jail = None
        self.loaded = None
        self.output_parts = []

    @property
    def mode(self):
        return self.sandbox.mode

    # ------------------------------------------------------------ lifecycle
    def start(self):
        """Start the child and load the submission; returns the 'loaded' reply."""
        request = dict(self.load_request)
        self.jail = self.sandbox.jail(request.get("path"))
        if request.get("path"):
            request["path"] = self.jail.child_work
        argv = self.launcher + self.jail.argv(
            [sys.executable, "-I", "-c", BOOT, self.jail.child_lib])
        kwargs = self.jail.popen_kwargs(self.env or child_env())
        kwargs["env"]["GRADER_JAIL"] = self.jail.token
        if self.cwd:
            kwargs["cwd"] = self.cwd
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, **kwargs)
        except (OSError, subprocess.SubprocessError) as err:
            self.jail.cleanup()
            raise ChildFault("error", f"the grader could not start a process ({err})") from None
        self.tap = OutputTap(self.proc.stderr, self.limits.output_kb * 1024)
        self._send(request)
        self.loaded = _clean_loaded(
            self._receive(time.monotonic() + self.limits.load_time_s, "loading"))
        return self.loaded

    def stop(self):
        """Kill every process of the jail and keep what the child printed."""
        if self.proc is None:
            if self.jail is not None:
                self.jail.cleanup()
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.jail.cleanup()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.tap.thread.join(timeout=2)
        self.output_parts.append(self.tap.text())
        self.proc = None

    def output(self):
        return "".join(p for p in self.output_parts if p)

    # -------------------------------------------------------------- probing
    def probe(self, request, deadline):
        """Send a probe request; return the decoded result message.

        Raises ChildFault('timeout' | 'error', message) if the deadline passes
        or the child dies or breaks protocol; the session is then stopped.
        """
        self._send(request)
        reply = self._receive(deadline, "running the check")
        if reply.get("op") != "result":
            self.stop()
            raise ChildFault("error", "the grader child sent an unexpected reply")
        return reply

    def _send(self, message):
        body = wire.json.dumps(message, allow_nan=False).encode("utf-8")
        try:
            self.proc.stdin.write(struct.pack(">Q", len(body)) + body)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the child died; _receive reports it

    def _receive(self, deadline, doing):
        try:
            header = self._read_exact(8, deadline)
            (length,) = struct.unpack(">Q", header)
            if length > wire.MAX_MESSAGE_BYTES:
                raise ChildFault("error", f"the submission returned {length} bytes of data, "
                                          "more than the grader accepts")
            message = wire.json.loads(self._read_exact(length, deadline).decode("utf-8"))
            if not isinstance(message, dict):
                raise ValueError("not a message")
            return message
        except ChildFault:
            self.stop()
            raise
        except (ValueError, UnicodeDecodeError, RecursionError, MemoryError):
            self.stop()
            raise ChildFault("error", "the grader child sent malformed data") from None

    def _read_exact(self, n, deadline):
        fd = self.proc.stdout.fileno()
        buf = bytearray()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while len(buf) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise ChildFault("timeout", "time limit exceeded")
                chunk = os.read(fd, n - len(buf))
                if not chunk:
                    raise ChildFault("error", self._death_message())
                buf += chunk
        return bytes(buf)

    def _death_message(self):
        code = self.proc.wait(timeout=5)
        if code < 0:
            sig = signal.Signals(-code).name
            if sig == "SIGKILL":
                return ("the process was killed (SIGKILL), most likely for using more "
                        f"than the {self.limits.memory_mb} MB memory limit")
            return f"the process was killed by {sig}"
        return (f"the process exited with code {code}: does your code call exit(), "
                "sys.exit() or os._exit()?")


def _clean_loaded(reply):
    """The 'loaded' reply reduced to the fields and types the parent uses
    (the child runs student code, which can write to the control pipe too)."""
    chunks = reply.get("chunks") if isinstance(reply.get("chunks"), list) else []
    clean = [{"name": str(c.get("name", "?"))[:200],
              "error": str(c["error"])[:2000] if c.get("error") else None}
             for c in chunks[:10000] if isinstance(c, dict)]
    seconds = reply.get("import_s")
    return {"op": "loaded", "chunks": clean,
            "import_s": float(seconds) if isinstance(seconds, (int, float)) else 0.0}


_default_sandboxes = {}


def default_sandbox(limits, require=False):
    """The Sandbox for these limits, resolved once per process (warns once if none)."""
    key = (getattr(limits, "sandbox", "auto"), require)
    if key not in _default_sandboxes:
        _default_sandboxes[key] = sandboxing.Sandbox.from_limits(limits, require)
    return sandboxing.Sandbox(_default_sandboxes[key].mode, limits)


class session_factory:  # noqa: N801 - used like a function
    """A grading.grade session_factory of sandboxed ChildSessions; raises
    sandbox.SandboxUnavailable now (not per submission) if `require` cannot be
    met. `.mode` says which isolation the sessions get ('bwrap' or 'none')."""

    def __init__(self, limits, require=False):
        self.limits, self.sandbox = limits, default_sandbox(limits, require)
        self.mode = self.sandbox.mode

    def __call__(self, load_request):
        return ChildSession(load_request, self.limits, sandbox=self.sandbox)


def child_env():
    """A minimal environment for the child: no inherited secrets or paths."""
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "HOME", "TZ") if k in os.environ}
    return keep | {"MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
                   "PYTHONHASHSEED": "0"}
