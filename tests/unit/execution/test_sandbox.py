"""Sandbox modes and process cleanup, without and with bubblewrap."""
import json
import os
import subprocess
import sys
import time

import pytest

from grader.execution import sandbox
from grader.config import Limits
from grader.execution.session import ChildSession, session_factory

from tests.conftest import ROOT


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError):
        sandbox.resolve_mode("docker")


def test_none_mode_is_none():
    assert sandbox.resolve_mode("none") == "none"


def test_required_sandbox_missing_is_an_error(monkeypatch):
    monkeypatch.setattr(sandbox, "_bwrap_ok", None)
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="bubblewrap"):
        sandbox.resolve_mode("auto", require=True)
    with pytest.raises(sandbox.SandboxUnavailable):
        sandbox.resolve_mode("bwrap")
    assert sandbox.resolve_mode("auto") == "none"


def test_require_sandbox_flag_without_bwrap_refuses(tmp_path):
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}   # no bwrap on this PATH
    proc = subprocess.run([sys.executable, "-m", "grader", "--course", str(ROOT / "course.yml"),
                           "check", "solutions/hw1_autograd", "-a", "hw1_autograd",
                           "--require-sandbox"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0 and "sandbox is required" in proc.stderr


def test_kill_marked_finds_detached_processes():
    token = "t" + os.urandom(6).hex()
    env = dict(os.environ, GRADER_JAIL=token)
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env,
                            start_new_session=True)
    try:
        # Until its exec, the new process's environment is still ours (no mark to find).
        deadline = time.monotonic() + 30
        while f"GRADER_JAIL={token}".encode() not in open(
                f"/proc/{proc.pid}/environ", "rb").read().split(b"\0"):
            assert time.monotonic() < deadline, "the marked process never started"
            time.sleep(0.01)
        assert sandbox.kill_marked(token)
        assert proc.wait(timeout=5) == -9
    finally:
        if proc.poll() is None:
            proc.kill()


def _loaded_session(mode, chunks):
    limits = Limits(load_time_s=30)
    box = sandbox.Sandbox(mode, limits)
    request = {"op": "load", "assignment": "hw1_autograd", "preload": [],
               "chunks": [{"name": "s.py", "code": chunks, "first_line": 1}], "path": None}
    return ChildSession(request, limits, sandbox=box)


MODES = ["none"] + (["bwrap"] if session_factory(Limits()).mode == "bwrap" else [])


@pytest.mark.parametrize("mode", MODES)
def test_stop_leaves_nothing_behind(mode):
    """A grandchild in its own session survives the process group kill; the jail's
    cleanup (pid namespace, cgroup, uid or marker) must still get it."""
    code = ("import os, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(60)\n"
            "    os._exit(0)\n"
            "time.sleep(0.3)\n"
            "print('LEFT', open('/proc/self/stat').read().split()[0])\n")
    session = _loaded_session(mode, code)
    session.start()
    jail = session.jail
    session.stop()
    time.sleep(0.1)
    if jail.cgroup:
        assert not any(os.path.exists(d) for d in jail.cgroup.dirs)
    if jail.uid:
        assert not sandbox.pids_of_uid(jail.uid)
    assert sandbox.kill_marked(jail.token, rounds=1)  # True: nothing carried the marker
    assert not os.path.exists(jail.root)


@pytest.mark.parametrize("mode", MODES)
def test_child_sees_a_neutral_grader_package(mode):
    session = _loaded_session(mode, "import grader, os\nprint('AT', os.path.dirname("
                                    "os.path.dirname(grader.__file__)), os.listdir("
                                    "os.path.dirname(os.path.dirname(grader.__file__))))\n")
    session.start()
    session.stop()
    out = session.output()
    assert "AT " in out and "['grader']" in out and str(ROOT) not in out


def test_wipe_between_submissions(tmp_path):
    tmp, work = tmp_path / "tmp", tmp_path / "work"
    for d in (tmp / "sub", work / ".config", work / "s_next"):
        d.mkdir(parents=True)
    (tmp / "from_a").write_text("secret of A")
    (work / ".config" / "rc").write_text("x")
    (work / "stray").symlink_to("/etc/passwd")
    left = __import__("grader.child.forkserver").child.forkserver.wipe_between_submissions((str(tmp), str(work)), keep=[str(work / "s_next")])
    assert not left
    assert os.listdir(tmp) == [] and os.listdir(work) == ["s_next"]
    assert os.path.exists("/etc/passwd")


# ------------------------------------------------ uids: leases, the uid-mode fork server
def test_uid_leases_are_distinct_within_the_configured_range():
    from grader.execution import processes
    limits = Limits(uid_base=3_100_000, uid_count=64)
    leases = [processes.lease_uid(limits) for _ in range(64)]
    try:
        uids = [lease.uid for lease in leases]
        assert len(set(uids)) == 64 and all(3_100_000 <= u < 3_100_064 for u in uids)
        with pytest.raises(processes.NoFreeUid, match="uid_base"):
            processes.lease_uid(limits)
        freed = leases.pop()
        uid = freed.uid
        freed.release()
        leases.append(processes.lease_uid(limits))
        assert leases[-1].uid == uid
    finally:
        for lease in leases:
            lease.release()


LEASE_IN_ANOTHER_GRADER = """
from grader.config import Limits
from grader.execution import processes
limits = Limits(uid_base=3_200_000, uid_count=64)
got = processes.lease_uid(limits).uid
try:
    processes.lease_uid(limits)
    second = "leased"
except processes.NoFreeUid:
    second = "none"
print(got, second)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="machine-wide leases are root's")
def test_uid_leases_exclude_another_grader_on_the_machine():
    from grader.execution import processes
    limits = Limits(uid_base=3_200_000, uid_count=64)
    leases = [processes.lease_uid(limits) for _ in range(63)]
    try:
        if processes._lease_file() < 0:
            pytest.skip("no root-only folder for the lease file here")
        free = set(range(3_200_000, 3_200_064)) - {lease.uid for lease in leases}
        done = subprocess.run([sys.executable, "-c", LEASE_IN_ANOTHER_GRADER], cwd=ROOT,
                              capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
        got, second = done.stdout.split()
        assert {int(got)} == free and second == "none", done.stderr[-500:]
    finally:
        for lease in leases:
            lease.release()


FORK_SERVER_UID, SUBMISSION_UID = 3_300_001, 3_300_002


def _fork_server_and_submission_in_forks():
    """A fork becomes a uid-mode fork server (as sandbox.Jail's preexec and the fork
    server's first step make it, without the exec), forks a submission that becomes its
    own uid and attacks its parent; both report through a pipe."""
    from grader.child import isolate
    last = isolate.cap_last_cap()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        out = {}
        try:
            isolate.become_fork_server_uid(FORK_SERVER_UID, last)
            isolate.settle_fork_server()
            out["server"] = [list(os.getresuid()), list(isolate.capabilities())]
            cr, cw = os.pipe()
            child = os.fork()
            if child == 0:
                seen = {}
                try:
                    isolate.become_submission_uid(SUBMISSION_UID)
                    seen["uid"] = list(os.getresuid())
                    seen["caps"] = list(isolate.capabilities()[:4])
                    server = os.getppid()
                    for what, act in (
                            ("mem", lambda: open(f"/proc/{server}/mem", "rb").read(1)),
                            ("environ", lambda: open(f"/proc/{server}/environ", "rb").read()),
                            ("fd", lambda: os.listdir(f"/proc/{server}/fd")),
                            ("signal", lambda: os.kill(server, 0)),
                            ("setuid_back", lambda: os.setuid(FORK_SERVER_UID))):
                        try:
                            act()
                            seen[what] = "worked"
                        except OSError as err:
                            seen[what] = err.errno
                except Exception as err:  # noqa: BLE001 - reported
                    seen["error"] = repr(err)
                os.write(cw, json.dumps(seen).encode())
                os._exit(0)
            os.close(cw)
            with os.fdopen(cr) as fh:
                out["submission"] = json.loads(fh.read())
            os.waitpid(child, 0)
        except Exception as err:  # noqa: BLE001 - reported
            out["error"] = repr(err)
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving uids needs root")
def test_uid_mode_fork_server_keeps_setid_only_and_its_forks_cannot_reach_it():
    import errno
    from grader.child import isolate
    got = _fork_server_and_submission_in_forks()
    assert "error" not in got, got
    uids, (eff, prm, inh, amb, bnd) = got["server"]
    assert uids == [FORK_SERVER_UID] * 3
    assert (eff, prm, inh, amb) == (isolate.SETID_CAPS, isolate.SETID_CAPS, 0, 0)
    assert bnd == isolate.SETID_CAPS
    sub = got["submission"]
    assert "error" not in sub, sub
    assert sub["uid"] == [SUBMISSION_UID] * 3 and sub["caps"] == [0, 0, 0, 0], sub
    assert sub["mem"] == sub["environ"] == sub["fd"] == errno.EACCES, sub
    assert sub["signal"] == sub["setuid_back"] == errno.EPERM, sub


def test_fork_server_that_cannot_start_falls_back_to_fresh_processes(monkeypatch, capsys):
    """E.g. uid mode where CAP_SETUID/CAP_SETGID cannot be kept: the preexec hook fails.
    The pool says so once and grades with a fresh sandboxed child per submission."""
    from grader.config import load_course
    from grader.execution import forkserver

    def failing(self, env, fork_server=False):
        kwargs = original(self, env, fork_server)
        if fork_server:
            def fail():
                raise PermissionError("capabilities cannot be kept here")
            kwargs["preexec_fn"] = fail
        return kwargs
    original = sandbox.Jail.popen_kwargs
    monkeypatch.setattr(sandbox.Jail, "popen_kwargs", failing)
    pool = forkserver.ZygotePool(load_course(ROOT / "course.yml"))
    try:
        make = pool.session_factory("hw1_autograd")
        assert pool.zygote("hw1_autograd") is None
        assert isinstance(make({"op": "load"}), ChildSession)
    finally:
        pool.close()
    assert "fork server unavailable" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() != 0, reason="giving uids needs root")
@pytest.mark.exclusive   # times a kill; its uid is in test_processes_tmp.py's leased range
def test_kill_uid_does_not_wait_for_a_zombie():
    """A fork server's child is killed by the grader and reaped by the fork server at its
    next request: until then it is a zombie of the submission's uid, which kill_uid must
    not spin on (half a second per submission) before the uid goes back to the pool."""
    from grader.execution import processes
    uid = 3_400_001
    pid = os.fork()
    if pid == 0:
        processes.drop_to(uid)
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while not processes._zombie(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        start = time.monotonic()
        assert processes.kill_uid(uid)
        assert time.monotonic() - start < 0.2
    finally:
        os.waitpid(pid, 0)
