"""The fork server's per-submission worlds (bwrap mode): a failure to build one is the grader's.

The attacks on these worlds (ptrace, leftovers between students, ...) are in
tests/e2e/test_jail_attacks.py; here, the fork server API itself.
"""
import os
import socket

import pytest

from grader.config import Limits
from grader.execution.channel import ChildFault
from grader.execution.forkserver import Zygote
from grader.execution.sandbox import CHILD_WORK
from grader.execution.session import default_sandbox

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def zygote():
    limits = Limits(memory_mb=1024, max_processes=32)
    sandbox = default_sandbox(limits)
    if sandbox.mode != "bwrap":
        pytest.skip("no bubblewrap here: fork-server children are not isolated")
    z = Zygote("hw1_autograd", ["numpy"], limits, sandbox).start()
    yield z
    z.close()


def _fork(z, cwd):
    ours, theirs = socket.socketpair()
    out_r, out_w = os.pipe()
    try:
        return z.fork(theirs.fileno(), out_w, cwd)
    finally:
        for s in (ours, theirs):
            s.close()
        os.close(out_r)
        os.close(out_w)


def test_fork_server_is_isolated_and_forks(zygote):
    assert zygote.isolated
    pid = _fork(zygote, CHILD_WORK)
    assert pid > 0
    zygote.kill(pid)
    assert zygote.exit_status(pid) is not None      # reaped by the fork server


def test_a_world_that_cannot_be_built_is_an_infrastructure_fault(zygote):
    """A work dir that does not exist cannot be bound: the fork server says so itself,
    so no output of a student can make its own failure look like the grader's."""
    with pytest.raises(ChildFault) as err:
        _fork(zygote, CHILD_WORK + "/no-such-dir")
    assert err.value.status == "infrastructure"
    assert zygote.broken          # retried once with a fresh fork server, then given up
