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
available), so its forks inherit the jail's rlimits and cgroup. In bwrap mode
the jail is shared by every submission of a worker, so each fork builds the
submission's own world before any student code runs (grader/child/isolate.py):
its own user, mount, pid, ipc and uts namespaces (the network namespace is
the jail's: loopback only), its own work dir
(cwd and HOME), /tmp and /dev/shm, no capability, no_new_privs and the STUDENT
seccomp filter; the zygote runs under the FORKSERVER filter. When a submission's
pid 1 dies, the kernel kills everything it started.

uid mode (root, no bwrap): the zygote runs as a leased uid no submission ever has,
holding CAP_SETUID and CAP_SETGID and no other capability (bounding set included),
under no_new_privs and the STUDENT filter. For each submission the parent leases
a fresh uid (processes.lease_uid, course.yml limits.uid_base/uid_count), gives it
the submission's work dir (0700, inside the jail's 0711 work dir), and the fork
becomes that uid with no capability before any student code runs; the parent kills
everything of that uid afterwards and only then gives the uid back. Unsandboxed
(not root), the zygote deletes the files left in the work dir between submissions.

In every mode the zygote is undumpable: no process but root may ptrace it or open
its /proc/<pid>/mem, environ or fd/.

This module is the parent's side; the zygote's own loop is
grader/child/forkserver.py. `ZygoteSession` is a `session.PipeSession`.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import sys
import threading
import time
import weakref

from grader.child.forkserver import WARM
from grader.execution import seccomp
from grader.execution.cgroups import JailCgroup
from grader.execution.channel import ChildFault, OutputTap
from grader.execution.cputime import CgroupMeter, ProcTreeMeter
from grader.execution.sandbox import (CHILD_WORK, chown_tree, copy_submission, python_dirs,
                                      seccomp_fd)
from grader.execution.session import ChildSession, PipeSession, child_env, default_sandbox
from grader.execution.processes import NoFreeUid, kill_group, kill_uid, lease_uid

BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); sys.argv[1:2] = []; "
        "import grader.child.forkserver as z; z.zygote_main()")
_MAX_CONTROL = 65536


class Zygote:
    """Parent-side handle on one fork server for one assignment's preloads.

    Args: assignment: whose check kinds to preload; preload: module names
    (torch gets torch.set_num_threads(1)); limits: config.Limits; sandbox:
    the sandbox.Sandbox whose jail the zygote runs in; warm: also import what notebooks
    import at the top (child/forkserver.py WARM: matplotlib and grader.notebook, ~0.7 CPU-s),
    so that each fork has them already (ZygotePool decides it: wants_warm).
    """

    def __init__(self, assignment, preload, limits, sandbox, start_timeout_s=120, warm=True):
        self.warm = warm
        self.assignment, self.preload, self.limits = assignment, list(preload), limits
        self.sandbox, self.start_timeout_s = sandbox, start_timeout_s
        self.proc = self.sock = self.jail = self.tap = None
        self.lock = threading.Lock()
        self.own_uids, self.wipes, self.broken = False, [], False
        self.own_pids = set()
        self.isolated = False
        self.stopped = False  # stop(): for good, never restarted (grading was interrupted)

    def start(self):
        """Start the fork server inside its own jail."""
        if self.stopped:
            raise ChildFault("infrastructure", "grading was stopped")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.jail = self.sandbox.jail(None)
        self.isolated = self.jail.mode == "bwrap"
        argv = self.jail.argv([sys.executable, "-I", "-c", BOOT, self.jail.child_lib,
                               str(theirs.fileno())], profile=seccomp.FORKSERVER)
        kwargs = self.jail.popen_kwargs(child_env(), fork_server=True)
        kwargs["env"]["GRADER_JAIL"] = self.jail.token
        kwargs["pass_fds"] = [*kwargs["pass_fds"], theirs.fileno()]
        # uid mode: the zygote has a uid no submission has, and each fork gets a uid of
        # its own; their work dirs sit in the jail's work dir, which they may pass through
        # but not list or write. Unsandboxed (not root): one uid for all, so the zygote
        # wipes the work dir between submissions. In bwrap each submission gets its own world.
        self.own_uids = self.jail.forks_own_uids
        if self.own_uids:
            os.chmod(self.jail.work, 0o711)
        self.wipes = [] if self.isolated or self.own_uids else [self.jail.work]
        out_r, out_w = os.pipe()
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=out_w, **kwargs)
        except (OSError, subprocess.SubprocessError) as err:
            # e.g. uid mode where the capabilities cannot be kept (no CAP_SETPCAP, no
            # ambient capabilities): the pool falls back to a fresh process per submission.
            os.close(out_r)
            need = ("; a uid-mode fork server needs CAP_SETPCAP and ambient capabilities "
                    "(Linux 4.3+)" if self.own_uids else "")
            raise ChildFault("infrastructure", f"the grader's fork server could not start "
                             f"({err}{need})") from None
        finally:
            os.close(out_w)
            theirs.close()
            self.jail.close_launch_fds()
        self.sock = ours
        if self.stopped:  # stop() ran while it was being launched
            os.close(out_r)
            self.close()
            raise ChildFault("infrastructure", "grading was stopped")
        self.tap = OutputTap(out_r, 16 * 1024)
        self._send({"op": "init", "assignment": self.assignment, "preload": self.preload,
                    "own_uids": self.own_uids, "wipe": self.wipes, "isolate": self._world(),
                    "warm": self.warm})
        reply = self._receive(self.start_timeout_s)
        if reply.get("op") != "ready":
            time.sleep(0.1)  # let the tap read what the fork server wrote on its way out
            raise ChildFault("infrastructure", f"the grader's fork server failed to start: "
                             f"{reply.get('message', reply)} {self.tap.text()[-500:]}".strip())
        self.own_pids = set(self.processes())
        return self

    def processes(self):
        """Host pids of the zygote's jail: its cgroup, or the process tree under it.
        After a fork, what is here but not in `own_pids` is the new submission's."""
        cgroup = self.jail.cgroup if self.jail else None
        if cgroup:
            return cgroup.pids()
        return ProcTreeMeter(self.proc.pid).pids()[0] if self.proc else []

    def _world(self):
        """What each fork needs to build a submission's own world (bwrap mode), or None."""
        if not self.isolated:
            return None
        size = self.limits.tmp_mb * 1024 * 1024
        fd = seccomp_fd(seccomp.STUDENT)
        bpf = None
        if fd is not None:
            bpf = os.pread(fd, 1 << 20, 0).hex()
            os.close(fd)
        # The Python install stays visible where it sits below /tmp (a fresh /tmp covers it).
        keep = [d for d in python_dirs() if d == "/tmp" or d.startswith("/tmp/")]
        return {"work": CHILD_WORK, "tmp_bytes": size, "shm_bytes": size, "keep": keep,
                "bpf": bpf}

    def workdir(self, submission_path, uid=None):
        """(host dir, dir as the child sees it) holding a copy of the submission, owned by
        `uid` (the submission's own, uid mode) or the jail's uid, mode 0700."""
        host = tempfile.mkdtemp(dir=self.jail.work, prefix="s")
        if submission_path:
            copy_submission(submission_path, host, self.limits)
        if uid or self.jail.uid:
            chown_tree(host, uid or self.jail.uid)
        return host, self.jail.child_work + "/" + os.path.basename(host)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def fork(self, ctrl_fd, out_fd, cwd=None, uid=None):
        """Fork a fresh child wired to (ctrl_fd, out_fd), working in `cwd`, running as
        `uid` (uid mode: the submission's own); returns its pid.

        Restarts the zygote once if it died (a crash there must cost no grade).
        """
        with self.lock:
            for attempt in (1, 2):
                if self.stopped:
                    raise ChildFault("infrastructure", "grading was stopped")
                if not self.alive():
                    self.close()
                    self.start()
                try:
                    self._send({"op": "fork", "cwd": cwd, "uid": uid}, fds=[ctrl_fd, out_fd])
                    reply = self._receive(30)
                    if reply.get("error"):
                        # The grader's fault, said by the fork server (not by student output).
                        raise ChildFault("infrastructure", reply["error"])
                    return int(reply["pid"])
                except (ChildFault, OSError, KeyError, ValueError):
                    self.close()
                    if attempt == 2:
                        self.broken = True
                        raise ChildFault("infrastructure", "the grader's fork server could not "
                                         "start a process for this submission") from None

    def kill(self, pid):
        """SIGKILL the process group of the zygote's child `pid` (a pid of the zygote's
        namespace: in bwrap it names another process on the host)."""
        if not self.isolated:
            kill_group(pid)
            return
        with self.lock:
            try:
                self._send({"op": "kill", "pid": pid})
                self._receive(10)
            except (ChildFault, OSError):
                pass

    def wipe(self):
        """Ask the zygote to delete the files the last submission left (unsandboxed only)."""
        with self.lock:
            try:
                self._send({"op": "wipe"})
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

    def stop(self):
        """Close for good, from any thread: kills the fork server and every submission
        it forked (their jail); a later fork() or start() raises ChildFault."""
        self.stopped = True
        self.close()

    def close(self):
        # Each field is taken before it is closed: stop() may run on another thread.
        proc, self.proc = self.proc, None
        if proc is not None:
            kill_group(proc.pid)
            proc.wait()
        jail, self.jail = self.jail, None
        if jail is not None:
            jail.cleanup()
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()
        tap, self.tap = self.tap, None
        if tap is not None:
            tap.finish()

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
            raise ChildFault("infrastructure", "the grader's fork server did not answer") from None
        if not data:
            raise ChildFault("infrastructure", "the grader's fork server died: "
                             + (self.tap.text()[-2000:] if self.tap else ""))
        return json.loads(data)


class ZygoteSession(PipeSession):
    """One submission in a process forked from `zygote`; the PipeSession protocol."""

    def __init__(self, zygote, load_request, limits):
        super().__init__(load_request, limits)
        self.zygote = zygote
        self.pid = self.host_dir = self.cgroup = self.lease = None

    def _spawn(self, request):
        if self.zygote.own_uids:
            try:
                self.lease = lease_uid(self.limits)
            except NoFreeUid as err:
                raise ChildFault("infrastructure", str(err)) from None
        uid = self.lease.uid if self.lease else None
        self.host_dir, cwd = self.zygote.workdir(request.get("path"), uid)
        if cwd and request.get("path"):
            # An isolated child finds its own work dir bound on the jail's work dir.
            request["path"] = CHILD_WORK if self.zygote.isolated else cwd
        def launch(theirs, out_w):
            try:
                self.pid = self.zygote.fork(theirs.fileno(), out_w, cwd, uid)
            except ChildFault:
                self._remove_workdir()
                self._release_uid()
                raise
        self._connect(launch)
        self._account()
        return request

    def _account(self):
        """A cgroup of this submission's own (CPU time, CPU share, process cap): the
        parent moves the forked process into it before sending the load request,
        so nothing of the student's has run yet. Without cgroups: the zygote's
        process tree minus the zygote itself."""
        self.cgroup = JailCgroup.create(os.urandom(12).hex(), self.limits.max_processes)
        moved, ok = set(), self.cgroup is not None
        for _ in range(3):  # building the submission's world may fork once more: follow it
            new = set(self.zygote.processes()) - self.zygote.own_pids - moved
            if not ok or not new:
                break
            ok = all(self.cgroup.add(pid) for pid in new)
            moved |= new
        if ok and moved and self.cgroup.counts_cpu:
            self.meter = CgroupMeter(self.cgroup)
            return
        root = self.zygote.proc.pid if self.zygote.proc else self.pid
        self.meter = ProcTreeMeter(root, exclude=self.zygote.own_pids,
                                   uid=self.lease.uid if self.lease else None)

    def _kill(self):
        if self.pid is None:
            return
        if self.cgroup:
            self.cgroup.remove_in_background()
            self.cgroup = None
        self.zygote.kill(self.pid)
        # Kill what escaped the group (it would hold the pipe open) and delete the files
        # this submission left, before the next submission's process exists.
        self._release_uid()
        if self.zygote.wipes:
            self.zygote.wipe()
        self.pid = None
        self._remove_workdir()

    def _release_uid(self):
        """uid mode: kill every process of the submission's uid, then give the uid back."""
        if self.lease and self.lease.uid is not None:
            if kill_uid(self.lease.uid):
                self.lease.release()
        self.lease = None

    def _remove_workdir(self):
        if self.host_dir:
            import shutil
            # Off the critical path; the jail's cleanup removes whatever is left.
            threading.Thread(target=shutil.rmtree, args=(self.host_dir, True),
                             daemon=True).start()
            self.host_dir = None

    def _exit_status(self):
        status = self.zygote.exit_status(self.pid)
        if status is None and not self.zygote.alive():
            self.infra_fault = True  # ours, not the submission's: grade-all retries it
            raise ChildFault("infrastructure", "the grader's fork server stopped while grading")
        if status is None:
            return None, None
        if os.WIFSIGNALED(status):
            return signal.Signals(os.WTERMSIG(status)).name, None
        return None, os.WEXITSTATUS(status)


def wants_warm(load_request):
    """Whether a fork server should import WARM before its first fork: when the submission
    it is started for names one of them (a notebook: its imports cell and check() set-up).

    Decided once, at the fork server's start, before any submission ran: importing later,
    after a submission's child could have left files where matplotlib reads its settings
    (uid mode, unsandboxed), would let that submission's code run in the fork server.
    A .py class skips ~0.7 CPU-s per fork server; a notebook graded alone pays matplotlib
    once in the fork server instead of once in each of its two children."""
    chunks = (load_request or {}).get("chunks") or ()
    return any(module in chunk.get("code", "") for chunk in chunks for module in WARM)


class ZygotePool:
    """One zygote per (thread, assignment): a worker thread grades with its own fork server.

    The sandbox is resolved once here, so `require_sandbox` fails before any
    grading starts (sandbox.SandboxUnavailable) rather than once per student.
    lazy: resolve it (the probe starts a jail: 0.2-1 s) and run `prepare(sandbox)`
    (official grading's checks, execution.hiding.prepare_official) only when the
    first child is asked for, so a class decided wholly in the parent (untouched
    release notebooks) pays neither; SandboxUnavailable is then raised by that
    first session_factory call, before any child starts.
    A fork server that cannot start, or stops forking, is replaced by fresh
    `ChildSession`s: slower, never a student's zero.
    """

    def __init__(self, course, require_sandbox=False, lazy=False, prepare=None, warm=None):
        self.course, self.require_sandbox, self.prepare = course, require_sandbox, prepare
        self.warm = warm  # see Zygote; None: each fork server decides by wants_warm
        self.resolving, self._sandbox = threading.Lock(), None
        self.local = threading.local()
        self.all, self.lock = [], threading.Lock()
        self.fallbacks = weakref.WeakSet()  # ChildSessions where no zygote could start
        self.closed = False
        if not lazy:
            self.sandbox  # noqa: B018 - resolved (and prepared) now

    @property
    def sandbox(self):
        """The run's Sandbox, resolved (and `prepare`d) once, on first use."""
        with self.resolving:
            if self._sandbox is None:
                sandbox = default_sandbox(self.course.spec.limits, self.require_sandbox)
                if self.prepare is not None:
                    self.prepare(sandbox)
                self._sandbox = sandbox
            return self._sandbox

    @property
    def resolved(self):
        """True once the sandbox was resolved (a child was, or may have been, started)."""
        return self._sandbox is not None

    @property
    def mode(self):
        return self.sandbox.mode

    @property
    def isolation(self):
        return self.sandbox.isolation

    def zygote(self, assignment, load_request=None):
        """This thread's fork server for `assignment`, started on first use (warmed as the
        pool's `warm` says, else as wants_warm(load_request)); None if it could not start
        (it is not retried for every submission). A cold one is replaced, once, by a warm
        one when a submission wants it (a class whose first submission was a .py): warming
        the running one would import matplotlib after students' code ran."""
        zygotes = self.local.__dict__.setdefault("zygotes", {})
        old = zygotes.get(assignment)
        if old is not None and self.warm is None and not old.warm and wants_warm(load_request):
            old.close()   # this thread's earlier submission is done: nothing of it runs
            del zygotes[assignment]
        if assignment not in zygotes:
            warm = self.warm if self.warm is not None else wants_warm(load_request)
            z = Zygote(assignment, self.course.assignment(assignment).preload,
                       self.course.spec.limits, self.sandbox, warm=warm)
            with self.lock:
                if self.closed:
                    raise ChildFault("infrastructure", "grading was stopped")
                self.all.append(z)  # listed before it starts: close() can stop it meanwhile
            try:
                z.start()
            except (ChildFault, OSError, ValueError) as err:
                z.close()
                if z.stopped:
                    raise
                print(f"grader: fork server unavailable ({err}); using fresh processes",
                      file=sys.stderr)
                z = None
            zygotes[assignment] = z
        return zygotes[assignment]

    def session_factory(self, assignment):
        """A `judge.grade` session_factory forking from this thread's zygote."""
        limits = self.course.spec.limits

        def make(load_request):
            if self.closed:
                raise ChildFault("infrastructure", "grading was stopped")
            self.sandbox  # noqa: B018 - a lazy pool resolves it now: SandboxUnavailable here
            zygote = self.zygote(assignment, load_request)
            if zygote is None or zygote.broken:
                session = ChildSession(load_request, limits, sandbox=self.sandbox)
                with self.lock:
                    self.fallbacks.add(session)
                return session
            return ZygoteSession(zygote, load_request, limits)
        if self.resolved:  # a lazy pool's isolation is known once a child was asked for
            make.mode, make.isolation = self.mode, self.isolation
        return make

    def close(self):
        """Kill every fork server and submission of the pool, for good: also while
        worker threads are still grading (Ctrl-C), whose next fork then fails."""
        with self.lock:
            self.closed = True
            zygotes, self.all = self.all, []
            fallbacks, self.fallbacks = list(self.fallbacks), weakref.WeakSet()
        for z in zygotes:
            z.stop()
        for session in fallbacks:
            if session.proc is not None:
                kill_group(session.proc.pid)  # its thread sees EOF and cleans up
