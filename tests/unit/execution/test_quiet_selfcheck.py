"""A student's self-check (`grader check`, resolve_mode(quiet=True)) prints none of the
instructor's warnings about the isolation; official grading still prints them."""
import pytest

from grader.execution import sandbox, seccomp


@pytest.fixture
def no_seccomp(monkeypatch):
    """bubblewrap works, its seccomp binding is missing (a fresh venv of the bundle)."""
    monkeypatch.setattr(sandbox, "_warned", set())
    monkeypatch.setattr(sandbox, "_bwrap_ok", True)
    monkeypatch.setattr(seccomp, "unavailable_reason", lambda: "no `pyseccomp` here")


@pytest.fixture
def no_bwrap(monkeypatch):
    monkeypatch.setattr(sandbox, "_warned", set())
    monkeypatch.setattr(sandbox, "_bwrap_ok", None)
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)


@pytest.mark.parametrize("machine", ["no_seccomp", "no_bwrap"])
def test_self_check_is_quiet_official_grading_is_not(machine, request, capfd):
    request.getfixturevalue(machine)
    mode = sandbox.resolve_mode("auto", quiet=True)
    assert capfd.readouterr().err == ""
    assert sandbox.resolve_mode("auto") == mode
    assert "grader: WARNING: NO" in capfd.readouterr().err


def test_a_required_sandbox_still_refuses_quietly_or_not(no_seccomp):
    with pytest.raises(sandbox.SandboxUnavailable, match="seccomp"):
        sandbox.resolve_mode("auto", require=True, quiet=True)


def test_windows_gets_a_clear_refusal_not_a_traceback(monkeypatch):
    """preexec_fn and sessions do not exist there: the notebook's check() is the way."""
    monkeypatch.setattr(sandbox, "_windows", lambda: True)
    with pytest.raises(sandbox.SandboxUnavailable, match="check.*in the notebook"):
        sandbox.resolve_mode("auto", quiet=True)
