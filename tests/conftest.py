"""Shared fixtures (the course repository root and its validated course.yml), and how the
suite shares the machine with itself when pytest-xdist runs it on several workers
(`make test`: `-n 2 --dist loadfile`; docs/DEVELOPING.md, "Tests"):

- Every test file is one group, run by one worker (`--dist loadfile`), so a module's
  expensive fixtures (a fork-server pool, an nbgrader course, a release bundle) are built
  once; tests/e2e/test_selftest.py is one group per assignment (xdist_group()).
- A test marked `lock_per_task` does not hold the lock for its whole run: it holds it
  shared around each of its tasks (machine_share(); the pooled selftest run grades its
  cases in the first test that needs them, for minutes).
- A test marked `exclusive` (CPU-time meters, wall-clock backstops, kill -9 and Ctrl-C
  timing, uid ranges leased whole) runs alone: it holds the run's machine lock
  exclusively, from its setup to its teardown, while every other test holds it shared.
  A waiting exclusive test stops new tests from starting (writer first), so it waits
  for at most the tests already running.
- Per run, one folder (`RUN_DIR_ENV`) that every worker sees: the machine lock, and the
  fresh venvs of tests/e2e/fresh_venv.py (one build per requirement text per run).
- hypothesis: `--hypothesis-profile=fast` (`make test-fast`) runs a tenth of each test's
  examples (`examples(n)`, at least 5); the default profile runs each test's full count.
"""
import contextlib
import fcntl
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from grader.config import load_course

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR_ENV = "GD_TESTS_RUN_DIR"   # not GRADER_*: the grader reads those, and must not see it

settings.register_profile("fast", max_examples=10)


def examples(n):
    """A hypothesis test's example count: `n` in the default profile (100 examples), scaled
    with the profile's count in others (`fast`: a tenth), never under 5 nor over n."""
    return min(n, max(5, n * settings.default.max_examples // 100))


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def course():
    return load_course(ROOT / "course.yml")


# The limits of the attack tests' courses (tests/e2e): room for an attack's own processes and
# memory, little output, a load that may take a while under a busy machine.
ATTACK_LIMITS = {"memory_mb": 1024, "output_kb": 16, "load_time_s": 20, "max_processes": 32}


def course_variant(folder, exercises=None, time_limit_s=None, alone=False, limits=None,
                   edit=None, assignment="hw1_autograd"):
    """The path of the repository's course.yml written into `folder` (made if missing) with
    the changes a test needs: `assignment`'s exercises cut to `exercises` (names, in that
    order), every exercise of it limited to `time_limit_s` CPU-s, the other assignments
    dropped (`alone`), `limits` merged into its `limits:`, then `edit(raw)` for anything
    else (raw: the parsed YAML, changed in place). A smaller, faster course grades in a
    fraction of the time; a test asserts only on the checks it keeps."""
    raw = yaml.safe_load((ROOT / "course.yml").read_text(encoding="utf-8"))
    spec = raw["assignments"][assignment]
    if exercises is not None:
        spec["exercises"] = {name: spec["exercises"][name] for name in exercises}
    if time_limit_s is not None:
        for exercise in spec["exercises"].values():
            exercise["time_limit_s"] = time_limit_s
    if alone:
        raw["assignments"] = {assignment: spec}
    if limits:
        raw["limits"].update(limits)
    if edit is not None:
        edit(raw)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "course.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def fork_servers(course):
    """factory(assignment) -> a `judge.grade` session_factory forking from one fork server
    per assignment for this worker's whole session, as `grader grade` and grade-all grade
    (a fresh child per grading would import the preloads again: torch, ~2 CPU-s, twice
    per hw2 grading). For tests that grade correct work and assert on its score; tests of
    the fresh-child path itself keep grade()'s default."""
    from grader.execution.forkserver import ZygotePool
    pool = ZygotePool(course, lazy=True)
    yield pool.session_factory
    pool.close()


# `pytester` runs pytest in-process on a scratch folder (tests/unit/test_pytest_plugin.py).
pytest_plugins = ["pytester"]


def pytest_addoption(parser):
    parser.addoption("--two-doors", choices=("sample", "all"), default="sample",
                     help="tests/e2e/test_selftest.py: grade a sample (default) or every "
                          "selftest case through pytest --submission as well")


# ------------------------------------------------------------ one run, several workers
def run_dir():
    """The folder this test run shares between its xdist workers (made by the controller,
    or by a run without xdist, in pytest_configure; removed when that run ends)."""
    return Path(os.environ[RUN_DIR_ENV])


def pytest_configure(config):
    if hasattr(config, "workerinput"):
        return   # an xdist worker: the controller made the folder and exported its name
    folder = tempfile.mkdtemp(prefix="gd-tests-run-")
    os.chmod(folder, 0o755)   # uid-mode tests run fresh venvs in it as another uid
    config._gd_run_dir = (folder, os.environ.get(RUN_DIR_ENV))
    os.environ[RUN_DIR_ENV] = folder


def pytest_unconfigure(config):
    made = getattr(config, "_gd_run_dir", None)
    if made:
        folder, before = made
        shutil.rmtree(folder, ignore_errors=True)
        if before is None:
            os.environ.pop(RUN_DIR_ENV, None)
        else:
            os.environ[RUN_DIR_ENV] = before


# Files whose tests split into groups by their first parameter (up to '-' or ']').
SPLIT_BY_FIRST_PARAM = {"tests/e2e/test_selftest.py"}   # one group per assignment


def xdist_group(nodeid):
    """The group (one worker) of a test: its file, or its file and first parameter for
    the files in SPLIT_BY_FIRST_PARAM."""
    path, _, rest = nodeid.partition("::")
    if path in SPLIT_BY_FIRST_PARAM and "[" in rest:
        first = re.split(r"[-\]]", rest.split("[", 1)[1])[0]
        return f"{path}::{first}"
    return path


@pytest.hookimpl(optionalhook=True)   # a hook of pytest-xdist: absent without it
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the groups of xdist_group(): xdist's own `loadgroup` cannot
    be used (with pytest 9 its marks do not reach the scheduler: it rewrites a node id
    attribute pytest no longer reads). Largest groups first (xdist's loadscope order)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return xdist_group(nodeid)

        def _assign_work_unit(self, node):
            costliest_first(self.workqueue)
            super()._assign_work_unit(node)
    return ByGroup(config, log)


def costliest_first(queue):
    """Move the costliest group of xdist's work queue (an OrderedDict {group: tests}) to its
    front, the next to be dealt out (longest processing time first): a costly group dealt
    out last would run alone while the other worker idles. Ties (groups not in
    GROUP_SECONDS) keep xdist's order, the largest first."""
    if queue:
        queue.move_to_end(max(queue, key=lambda group: GROUP_SECONDS.get(group, 0)), last=False)


# Rough seconds of the costliest groups on a quiet 2-core machine (`make bench-suite`:
# `make test`'s --durations, summed per group): only the order of dealing them out, never a limit.
GROUP_SECONDS = {
    "tests/e2e/test_selftest.py::hw1_autograd": 180,
    "tests/e2e/test_nbgrader.py": 102,
    "tests/e2e/test_student_route.py": 97,
    "tests/e2e/test_routes.py": 83,
    "tests/e2e/test_selftest.py::hw2_torch": 73,
    "tests/e2e/test_cluster.py": 36,
    "tests/e2e/test_gradescope.py": 36,
    "tests/e2e/test_notebooks.py": 36,
    "tests/e2e/test_uid_mode.py": 33,
    "tests/e2e/test_jail_attacks.py": 29,
    "tests/e2e/test_adversarial.py": 29,
    "tests/unit/judge/test_faults.py": 26,
    "tests/e2e/test_examples.py": 19,
    "tests/e2e/test_classroom_workflow.py": 17,
    "tests/unit/bulk/test_gradeall.py": 16,
}


class MachineLock:
    """A readers-writer lock over the workers of one run (flock on two files of
    run_dir()): `hold(exclusive)` blocks until no other worker runs a test (exclusive)
    or until no exclusive test runs or waits (shared)."""

    def __init__(self, folder):
        flags = os.O_CREAT | os.O_RDWR | os.O_CLOEXEC
        self.turnstile = os.open(folder / "turnstile.lock", flags, 0o600)
        self.machine = os.open(folder / "machine.lock", flags, 0o600)

    def close(self):
        os.close(self.turnstile)
        os.close(self.machine)

    @contextlib.contextmanager
    def hold(self, exclusive):
        # The turnstile makes a waiting exclusive test block later shared ones: without it
        # the workers' shared holds could overlap forever and starve it.
        fcntl.flock(self.turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(self.machine, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        finally:
            if not exclusive:
                fcntl.flock(self.turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(self.machine, fcntl.LOCK_UN)
            if exclusive:
                fcntl.flock(self.turnstile, fcntl.LOCK_UN)


_LOCK = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Setup, call and teardown of every test under the machine lock (module fixtures are
    built in their first test's setup, so they count as that test's work)."""
    if RUN_DIR_ENV not in os.environ:
        yield
        return
    if item.get_closest_marker("lock_per_task") is not None:
        yield   # it holds the lock itself, per task (machine_share)
        return
    with _machine_lock().hold(item.get_closest_marker("exclusive") is not None):
        yield


def _machine_lock():
    if not _LOCK:
        _LOCK.append(MachineLock(run_dir()))
    return _LOCK[0]


@contextlib.contextmanager
def machine_share():
    """The machine lock held shared for one task of a test marked `lock_per_task` (a case
    of a pooled selftest run): an exclusive test then waits for one task, not for the
    minutes of the whole pooled run. A no-op outside a run of this suite's conftest."""
    if RUN_DIR_ENV not in os.environ:
        yield
        return
    # Its own descriptors: flock belongs to an open file, so two threads sharing one would
    # share (and one's unlock would drop) the other's hold.
    lock = MachineLock(run_dir())
    try:
        with lock.hold(False):
            yield
    finally:
        lock.close()
