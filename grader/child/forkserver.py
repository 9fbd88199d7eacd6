"""The fork server's own loop (runs inside the jail; never runs student code itself).

Started by grader/execution/forkserver.py with a SOCK_SEQPACKET control socket
on the fd named in argv. It preloads the assignment's heavy modules once, then
serves four requests: fork (a fresh child wired to the two fds sent along,
which runs `grader.child.main.main`), kill (SIGKILL a child's process group),
wipe (delete the files the last submission left; only unsandboxed) and status
(a child's wait status).

It is undumpable in every mode, before anything else: no process but root may
read its memory, environment or fds through /proc, or ptrace it.

In a bwrap jail the init message carries `isolate`: the fork server then becomes
pid 1 of a pid namespace it owns (before the heavy imports), checks once that it
can build a submission's own world, and every fork is pid 1 of a fresh pid
namespace and enters its own world (grader/child/isolate.py) before any student
code runs.

In uid mode (`own_uids`) it runs as a uid no submission has, holding CAP_SETUID and
CAP_SETGID only; each fork becomes the uid the grader leased for that submission,
drops both, and only then runs anything of the student's. The grader (root) kills
a submission's processes by that uid.
"""
import json
import os
import signal
import socket
import sys
import time

import shutil

_MAX_CONTROL = 65536
# Imported (best effort) besides the assignment's preloads: what notebooks import
# at the top. matplotlib alone costs ~1 s per fresh process in a jail (it rebuilds
# its font cache), paid here once per worker instead.
WARM = ("matplotlib", "matplotlib.pyplot", "grader.notebook")


def wipe_between_submissions(dirs, keep=()):
    """Inside a jail: delete everything in `dirs` but the paths in `keep`, so that no
    file of one submission is there for the next. Returns what could not be removed."""
    left = []
    keep = {os.path.realpath(k) for k in keep}
    for top in dirs:
        try:
            names = os.listdir(top)
        except OSError:
            continue
        for name in names:
            path = os.path.join(top, name)
            if os.path.realpath(path) in keep:
                continue
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
            except OSError:
                left.append(path)
    return left




def zygote_main():
    """The fork server's loop (runs in its own process; never runs student code)."""
    sock = socket.socket(fileno=int(sys.argv[1]))
    init = json.loads(sock.recv(_MAX_CONTROL))
    world, own_uids = init.get("isolate"), bool(init.get("own_uids"))
    problem = _own_pid_namespace() if world else _unreachable(own_uids)
    if problem:
        sock.sendall(json.dumps({"op": "error", "message": problem}).encode())
        os._exit(0)
    _preload(init["assignment"], init.get("preload", []), init.get("warm", True))
    wipe = list(init.get("wipe") or [])
    keep = _listing(wipe)  # made by trusted code before any submission ran
    if world:
        problem = _prepare_isolation(world)
        if problem:
            sock.sendall(json.dumps({"op": "error", "message": problem}).encode())
            os._exit(0)
    sock.sendall(json.dumps({"op": "ready"}).encode())
    statuses = {}
    while True:
        data, fds, _flags, _addr = socket.recv_fds(sock, _MAX_CONTROL, 4)
        if not data:
            os._exit(0)
        request = json.loads(data)
        _reap(statuses)
        if request["op"] == "fork":
            uid = request.get("uid") if own_uids else None
            if own_uids and not isinstance(uid, int):
                # Never fork student code as this process's uid (it holds CAP_SETUID).
                for fd in fds:
                    os.close(fd)
                sock.sendall(json.dumps({"pid": None, "error": "no uid leased for this "
                                         "submission: not forked"}).encode())
                continue
            pid, problem = _fork_child(sock, fds, request.get("cwd"), world, uid)
            sock.sendall(json.dumps({"pid": pid, "error": problem}).encode())
        elif request["op"] == "kill":
            _kill_group(int(request["pid"]))
            sock.sendall(b'{"op": "killed"}')
        elif request["op"] == "wipe":
            if wipe:
                _wipe(wipe, keep)
            sock.sendall(b'{"op": "wiped"}')
        elif request["op"] == "status":
            sock.sendall(json.dumps({"status": _wait(request["pid"], request["timeout"],
                                                     statuses)}).encode())


def _preload(assignment, modules, warm=True):
    for module in modules:
        __import__(module)
        if module == "torch":
            import torch
            torch.set_num_threads(1)
            torch.set_num_interop_threads(1)
    from grader.child import main as child  # noqa: F401 - imported once, inherited by forks
    from grader.checks import registry
    registry.load_assignment_checks(assignment)
    for module in WARM if warm else ():
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 - warming is an optimisation only
            pass
    import gc
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()  # keep the preloaded objects' pages shared between forks


def _own_pid_namespace():
    """Continue as pid 1 of a pid namespace this process owns (small: before the preloads).
    None, or why not."""
    from grader.child import isolate
    try:
        isolate.become_pid_namespace_parent()
    except OSError as err:
        return (f"the fork server cannot make a pid namespace in this jail ({err}; user "
                "namespaces nested in bwrap disabled?)")
    return None


def _unreachable(own_uids):
    """Without bwrap, before anything else: undumpable (always), and in uid mode holding
    CAP_SETUID/CAP_SETGID and nothing else. None, or why not."""
    from grader.child import isolate
    try:
        if own_uids:
            isolate.settle_fork_server()
        else:
            isolate.make_undumpable()
    except OSError as err:
        return f"the fork server cannot make itself unreachable: {err}"
    return None


def _prepare_isolation(world):
    """Undumpable, then one trial world (a submission's, exiting at once). None or why not."""
    from grader.child import isolate
    try:
        isolate.make_undumpable()
    except OSError as err:
        return f"PR_SET_DUMPABLE failed: {err}"
    world["bpf_bytes"] = bytes.fromhex(world["bpf"]) if world.get("bpf") else None
    try:
        pid = isolate.fork_in_new_pid_namespace()
    except OSError as err:
        return f"a submission's pid namespace cannot be made in this jail ({err})"
    if pid == 0:
        try:
            _enter(world, world["work"], None)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return (f"a submission's own namespaces cannot be made in this jail (wait status "
                f"{status}; user namespaces nested in bwrap disabled?)")
    return None


def _enter(world, cwd, report_fd):
    from grader.child import isolate
    isolate.enter_own_world(cwd or world["work"], world["work"], world["tmp_bytes"],
                            world["shm_bytes"], world.get("keep", []), world["bpf_bytes"],
                            report_fd)


def _world_report(read_fd):
    """None once the child said its world is built, else why not (read until it says)."""
    data = b""
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read(600)
    return None if data == b"ok" else (data.decode("utf-8", "replace")
                                       or "the child died while building its world")


def _fork_child(sock, fds, cwd, world=None, uid=None):
    """Fork the child for one submission (in its own world, or as its own `uid`):
    (its pid, None) or (pid, why its world or uid failed)."""
    sys.stdout.flush()
    sys.stderr.flush()
    report_r = report_w = None
    if world or uid is not None:
        report_r, report_w = os.pipe()
    if world:
        from grader.child import isolate
        pid = isolate.fork_in_new_pid_namespace()
    else:
        pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        if report_w is None:
            return pid, None
        os.close(report_w)
        return pid, _world_report(report_r)
    try:
        if report_r is not None:
            os.close(report_r)
        os.setsid()
        sock.close()
        ctrl, out = fds
        os.dup2(ctrl, 0)
        os.dup2(ctrl, 1)
        os.dup2(out, 2)
        for fd in (ctrl, out):
            if fd > 2:
                os.close(fd)
        if world:
            _enter(world, cwd, report_w)  # exits unless the submission's own world is built
        elif uid is not None:
            _become(uid, cwd, report_w)   # exits unless it runs as `uid` without privilege
        elif cwd:
            os.chdir(cwd)
        from grader.child import main as child
        child.main()  # control on fds 0/1, student output on 2, like a fresh child
    finally:
        os._exit(0)


def _become(uid, cwd, report_fd):
    """uid mode, in the fork: the submission's own uid, no capability, its own work dir
    (cwd and HOME). Tells the fork server b"ok" or why not; on failure exits 70."""
    from grader.child import isolate
    try:
        isolate.become_submission_uid(int(uid))
        if cwd:
            os.chdir(cwd)
            os.environ["HOME"] = cwd
    except BaseException as err:  # noqa: BLE001 - no student code as anything else
        try:
            os.write(report_fd, f"could not give the submission its own uid: {err}"
                     .encode()[:500])
        finally:
            os._exit(70)
    os.write(report_fd, b"ok")
    os.close(report_fd)


def _kill_group(pid):
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _listing(dirs):
    found = []
    for top in dirs:
        try:
            found += [os.path.join(top, name) for name in os.listdir(top)]
        except OSError:
            pass
    return found


def _wipe(dirs, keep):
    wipe_between_submissions(dirs, keep)


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
