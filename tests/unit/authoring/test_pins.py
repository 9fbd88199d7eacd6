"""requirements files from the lock: the closure of what a route imports, pinned, with the
platform markers of packages only some platforms need (the release bundle's requirements.txt
is installed on Linux, macOS and Windows)."""
from grader.authoring.pins import closure_pins, closure_requirements, key, lock_pins
from grader.authoring.release import requirements

from tests.conftest import ROOT

LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")


def test_platform_only_dependencies_keep_their_marker():
    lines, unpinned = closure_requirements(LOCK, ["ipython"])
    pexpect = next(ln for ln in lines if ln.startswith("pexpect=="))
    assert 'sys_platform != "win32"' in pexpect          # ipython needs it off Windows only
    assert any(ln.startswith("ptyprocess==") and "win32" in ln for ln in lines)  # via pexpect
    assert 'colorama ; sys_platform == "win32"' in unpinned   # Windows only, not in the lock
    assert not any(ln.startswith("colorama") for ln in lines)


def test_closure_pins_is_what_this_platform_installs():
    pins = closure_pins(LOCK, ["ipython"])
    lines, _ = closure_requirements(LOCK, ["ipython"])
    assert all(";" not in p for p in pins)
    assert {ln.split(" ;")[0] for ln in lines} >= set(pins)
    assert any(p.startswith("pexpect==") for p in pins)   # Linux: its marker holds


def test_release_requirements_pin_the_whole_closure_then_install_the_bundle(course):
    text = requirements(course, "hw1_autograd", ROOT / "requirements.lock")
    body = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert body[-1] == "-e ."
    pins, lock = body[:-1], set(lock_pins(LOCK).values())
    assert all(p.split(" ;")[0] in lock for p in pins)
    names = {key(p.split("==")[0]) for p in pins}
    # matplotlib's and ipython's own dependencies are pinned too, not left to float
    assert {"numpy", "autograd", "matplotlib", "pillow", "kiwisolver", "jedi", "traitlets"} <= names
    assert "colorama" in text  # named in the header: unpinned, Windows only
