"""Sandbox modes and process cleanup, without and with bubblewrap."""
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
