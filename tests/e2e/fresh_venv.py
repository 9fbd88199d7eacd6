"""Fresh virtualenvs built only from what a route ships (issue 17).

`fresh_venv(requirements_text)` is `python -m venv` from the base interpreter (not the
development venv; `make_venv`), then `pip install -r` of that text alone, through pip's own
configuration (its wheel folders, indexes and cache: offline-robust and fast the second
time). One venv per requirement text per test run, so a route's venv is built once
however many of its tests run, on whichever xdist worker asks first (the others wait for
it: a lock per venv). They live in the run's world-readable folder (tests/conftest.py
run_dir(), under the system's temp dir), so that uid-mode tests can run their Python as
another uid, and are removed when the run ends.
"""
import atexit
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import RUN_DIR_ENV

_VENVS = {}        # sha256 of the requirement text -> venv folder
BUILD_SECONDS = {}  # the same key -> seconds its build took (for the closing note)
_HOME = []


def _home():
    """The run's venv folder (shared by its xdist workers); outside a test run, a folder
    of this process's own, removed at exit."""
    if not _HOME:
        shared = os.environ.get(RUN_DIR_ENV)
        if shared:
            folder = Path(shared) / "fresh-venvs"
            folder.mkdir(mode=0o755, exist_ok=True)
        else:
            folder = Path(tempfile.mkdtemp(prefix="grader-fresh-venvs-"))
            atexit.register(shutil.rmtree, folder, True)
        os.chmod(folder, 0o755)
        _HOME.append(folder)
    return _HOME[0]


def clean_env(**extra):
    """os.environ without this session's Python settings (PYTHONPATH, VIRTUAL_ENV,
    GRADER_*), plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("GRADER_")}
    env.update(extra)
    return env


def fresh_venv(requirements_text):
    """The folder of a venv holding exactly what `requirements_text` installs (keyed on its
    lines without comments: Classroom's and Gradescope's files of one assignment share it)."""
    lines = [l.strip() for l in requirements_text.splitlines()
             if l.strip() and not l.lstrip().startswith("#")]
    key = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    if key in _VENVS:
        return _VENVS[key]
    folder, done = _home() / key, _home() / f"{key}.done"
    with open(_home() / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # another worker may be building it now
        if not done.exists():
            _build(folder, requirements_text, key)
            done.touch()
    _VENVS[key] = folder
    return folder


def make_venv(folder, env=None):
    """`python -m venv folder` from the base interpreter, holding what it holds (the pip and
    setuptools wheels bundled with Python, installed by this session's pip). Where this
    Python has no bundled wheels (a distribution's build), plain `python -m venv`."""
    import ensurepip
    base = getattr(sys, "_base_executable", sys.executable)
    wheels = sorted(str(w) for w in (Path(ensurepip.__file__).parent / "_bundled").glob("*.whl"))
    if wheels:
        subprocess.run([base, "-m", "venv", "--without-pip", str(folder)], check=True,
                       env=env or clean_env(), capture_output=True, timeout=300)
        # This session's pip installs into the new venv's interpreter (pip --python, pip
        # >= 22.3), from the bundled wheels only (--no-index): the same pip and setuptools.
        done = subprocess.run([sys.executable, "-m", "pip", "--python",
                               str(folder / "bin" / "python"), "install", "-q", "--no-index",
                               *wheels], env=clean_env(), capture_output=True,
                              timeout=300)
        if done.returncode == 0:
            return
        shutil.rmtree(folder)
    subprocess.run([base, "-m", "venv", str(folder)], check=True, env=env or clean_env(),
                   capture_output=True, timeout=300)


def _build(folder, requirements_text, key):
    req = _home() / f"{key}.txt"
    req.write_text(requirements_text, encoding="utf-8")
    started = time.perf_counter()
    make_venv(folder)
    # Byte-compiled at install (pip's default), not on first import: the sandbox mounts the
    # venv read-only, so a child could never write what it compiled, and every child of
    # every test would compile torch again (measured: the student route's tests 89 -> 127 s).
    done = subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "-q",
                           "-r", str(req)], env=clean_env(),
                          capture_output=True, text=True, timeout=1200)
    if done.returncode:
        raise RuntimeError(f"pip install -r failed:\n{done.stderr[-3000:]}")
    BUILD_SECONDS[key] = time.perf_counter() - started
