"""Sessions: one running child that has loaded one submission and answers probes.

Every session type has the same protocol, which `judge.grade` relies on:

    loaded = session.start()               # {"op": "loaded", "chunks": [...], "import_s"}
    reply  = session.probe(request, budget)     # a checked "result" reply, or ChildFault
    text   = session.output(since=mark)    # what the submission printed (capped)
    mark   = session.output_mark()         # where the output stands now
    session.stop()                         # kill every process of the submission

Implementations: `ChildSession` (a fresh `python -I` child in its own jail; here),
`forkserver.ZygoteSession` (a fork of a preloaded fork server) and
`inprocess.InProcessSession` (a live notebook namespace). The first two share
`PipeSession`: one control channel, one output tap, one check of every reply
(grader/execution/channel.py), one death message. A fault of the child raises
ChildFault and stops the session; the judge starts a new one for the next check.

Time: a `cputime.Budget` (CPU seconds of every process of the submission, with
a wall-clock backstop) per request; PipeSession polls a CPU meter (the jail's
cgroup, or /proc) while it waits for the reply.
"""
import os
import signal
import socket
import subprocess
import sys

from grader import PACKAGE_DIR
from grader.execution import sandbox as sandboxing
from grader.execution.channel import (Channel, ChildFault, OutputTap,  # noqa: F401
                                      OversizedReply, ProtocolFault, clean_loaded,
                                      clean_result, death_message)
from grader.execution.cputime import Budget, CgroupMeter, ProcTreeMeter, Watch
from grader.execution.processes import kill_group

GRADER_PARENT = str(PACKAGE_DIR.parent)
# Stale frames one probe skips before it calls the child's protocol broken: an honest
# child sends none; each frame student code forges displaces one genuine reply.
MAX_STALE_FRAMES = 8
BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); sys.argv[1:2] = []; "
        "import grader.child.main as c; c.main()")


class PipeSession:
    """The parent's half of a child process: channel, output tap, replies checked.

    Subclasses implement `_spawn(request) -> request` (start the process, set
    self.channel, self.tap and self.meter (CPU seconds of the submission's
    processes), return the load request as the child must see it), `_kill()`
    and `_exit_status() -> (signal name | None, exit code | None)`.
    """

    def __init__(self, load_request, limits):
        self.load_request, self.limits = load_request, limits
        self.channel = self.tap = self.meter = None
        self.last_cpu_s = None            # CPU seconds the last request used (None: unknown)
        self.last_reply_bytes = 0         # size of the last reply's body
        self.infra_fault = False          # set when the grader, not the submission, failed
        self.output_parts = []
        self.loaded = None
        self.serial = 0                   # probes sent; the child echoes it in each reply

    def start(self):
        request = self._spawn(dict(self.load_request))
        self.channel.send(request)
        budget = Budget.for_limit(self.limits.load_time_s, self.limits)
        names = [str(c.get("name", "?")) for c in self.load_request.get("chunks", [])]
        self.loaded = clean_loaded(self._receive(budget), names)
        return self.loaded

    def probe(self, request, budget):
        """Send a probe request; return the checked 'result' reply (or ChildFault).

        budget: a cputime.Budget (CPU seconds, wall-clock backstop) for the whole
        request, stale frames included. Each request carries a serial number the
        child echoes. Student code can write to the control socket too: a frame it
        forged for the current probe is no better than returning the same values,
        and the genuine reply it displaced arrives with an old number and is
        skipped by the next probe, so a forgery costs no other check."""
        self.serial += 1
        self.channel.send(dict(request, id=self.serial))
        watch = Watch(budget, self.meter)
        try:
            for _ in range(MAX_STALE_FRAMES + 1):
                reply = self._receive(watch, keep_on_oversize=True)
                stale = isinstance(reply.get("id"), int) and 0 < reply["id"] < self.serial
                if not stale:
                    if reply.get("id") != self.serial:
                        raise ProtocolFault("the grader child sent an unexpected reply")
                    return clean_result(reply)
            raise ProtocolFault("the grader child sent more stale replies than it can have "
                                "owed: something wrote to the grader's control channel")
        except OversizedReply as fault:
            if not fault.drained:
                raise  # _receive stopped the child
            # Drained: this check is an error and the same child serves the next one.
            return {"op": "result", "ok": False,
                    "error": {"status": "error", "message": fault.message}}
        except ChildFault:
            self.stop()
            raise

    def _receive(self, watch, keep_on_oversize=False):
        """One message under `watch` (a cputime.Watch, or a Budget to start one)."""
        if not isinstance(watch, Watch):
            watch = Watch(watch, self.meter)
        channel = self.channel
        try:
            return channel.receive(watch, max_bytes=self.limits.reply_kb * 1024)
        except OversizedReply as fault:
            if not (keep_on_oversize and fault.drained):
                self.stop()
            raise
        except ChildFault:
            self.stop()
            raise
        finally:
            self.last_cpu_s = watch.cpu_used()
            self.last_reply_bytes = channel.last_length

    def _connect(self, launch):
        """Make the control socketpair and the output pipe, call launch(child's socket,
        write end of the pipe) to start the child with them, then keep our ends as
        self.channel and self.tap. If launch raises, our ends are closed too."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        try:
            launch(theirs, out_w)
        except BaseException:
            ours.close()
            os.close(out_r)
            raise
        finally:
            theirs.close()
            os.close(out_w)
        self.channel = Channel(ours, self._on_eof)
        self.tap = OutputTap(out_r, self.limits.output_kb * 1024)

    def _on_eof(self):
        sig, code = self._exit_status()
        return death_message(sig, code, self.limits)

    def output_mark(self):
        return self.tap.mark() if self.tap is not None else None

    def output(self, since=None):
        """What the submission printed: all of it, or what came after `since`
        (a mark of the live tap)."""
        if since is not None:
            if self.tap is not None:
                return self.tap.text(since)
            return self.output_parts[-1][since:] if self.output_parts else ""
        return "".join(p for p in self.output_parts if p) + (
            self.tap.text() if self.tap is not None else "")

    def stop(self):
        if self.channel is None:
            return
        self._kill()
        self.channel.close()
        self.channel = None
        if self.tap is not None:
            self.tap.finish()
            self.output_parts.append(self.tap.text())
            self.tap = None


class ChildSession(PipeSession):
    """A fresh `python -I` child in its own sandbox jail, for one submission.

    Args: load_request: the "load" message (assignment, preload, chunks, path);
    limits: config.Limits; sandbox: a sandbox.Sandbox (default: the mode
    course.yml asks for, resolved once per process).
    """

    def __init__(self, load_request, limits, sandbox=None):
        super().__init__(load_request, limits)
        self.sandbox = sandbox or default_sandbox(limits)
        self.proc = self.jail = None

    @property
    def mode(self):
        return self.sandbox.mode

    def _spawn(self, request):
        self.jail = self.sandbox.jail(request.get("path"))
        if request.get("path"):
            request["path"] = self.jail.child_work
        argv = self.jail.argv([sys.executable, "-I", "-c", BOOT, self.jail.child_lib])
        kwargs = self.jail.popen_kwargs(child_env())
        kwargs["env"]["GRADER_JAIL"] = self.jail.token
        def launch(theirs, out_w):
            try:
                self.proc = subprocess.Popen(argv, stdin=theirs, stdout=theirs, stderr=out_w,
                                             **kwargs)
            except (OSError, subprocess.SubprocessError) as err:
                self.jail.cleanup()
                raise ChildFault("infrastructure",
                                 f"the grader could not start a process ({err})") from None
            finally:
                self.jail.close_launch_fds()
        self._connect(launch)
        cgroup = self.jail.cgroup
        self.meter = (CgroupMeter(cgroup) if cgroup and cgroup.counts_cpu
                      else ProcTreeMeter(self.proc.pid, uid=self.jail.uid))
        return request

    def _exit_status(self):
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None, None
        return (signal.Signals(-code).name, None) if code < 0 else (None, code)

    def _kill(self):
        if self.proc is not None:
            kill_group(self.proc.pid)
            self.proc.wait()
        if self.jail is not None:
            self.jail.cleanup()

    def stop(self):
        super().stop()
        if self.channel is None and self.jail is not None:
            self.jail.cleanup()  # started a jail but no process


_default_sandboxes = {}


def default_sandbox(limits, require=False, quiet=False):
    """The Sandbox for these limits, resolved once per process (warns once if none,
    unless `quiet`: a student's self-check, see sandbox.resolve_mode)."""
    key = (limits.sandbox, require, quiet)
    if key not in _default_sandboxes:
        _default_sandboxes[key] = sandboxing.Sandbox.from_limits(limits, require, quiet)
    return sandboxing.Sandbox(_default_sandboxes[key].mode, limits)


class session_factory:  # noqa: N801 - used like a function
    """A judge.grade session_factory of sandboxed ChildSessions; raises
    sandbox.SandboxUnavailable now (not per submission) if `require` cannot be
    met. `.mode` says the sandbox mode ('bwrap' or 'none'), `.isolation` what that
    gives here ('bwrap', 'uid' or 'unsandboxed'). `quiet`: a student's self-check, without
    the instructor's warnings about the isolation (sandbox.resolve_mode)."""

    def __init__(self, limits, require=False, quiet=False):
        self.limits, self.sandbox = limits, default_sandbox(limits, require, quiet)
        self.mode, self.isolation = self.sandbox.mode, self.sandbox.isolation

    def __call__(self, load_request):
        return ChildSession(load_request, self.limits, sandbox=self.sandbox)


def child_env():
    """A minimal environment for the child: no inherited secrets or paths."""
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "HOME", "TZ") if k in os.environ}
    return keep | {"MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
                   "PYTHONHASHSEED": "0"}
