"""grade-all on a Dask cluster: a real scheduler and workers on 127.0.0.1, a LocalCluster.

Select with `-m cluster`. Each test starts its own processes from the venv
(`dask scheduler`, `dask worker --no-nanny`, loopback only, free ports) and
stops them, by their pid, in a finally. The course is cut down to one quick
exercise so a class of 14 grades in seconds.
"""
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli

from tests.conftest import course_variant

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
A = "hw1_autograd"
PARTIAL = "import numpy as np\n\ndef decaying_cosine(x):\n    return np.exp(-x / 10) * np.cos(x)\n"
STUB = "def decaying_cosine(x):\n    raise NotImplementedError\n"
STOP_S = 3   # for the scheduler and workers to stop after SIGTERM; then SIGKILL


@pytest.fixture(scope="module")
def course_file(tmp_path_factory):
    return course_variant(tmp_path_factory.mktemp("course"), exercises=["decaying_cosine"],
                          time_limit_s=3, alone=True)


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """14 submissions: right, partly right, stubs, broken, a folder, a notebook, unreadable."""
    folder = tmp_path_factory.mktemp("class")
    good = (ROOT / "solutions" / A / "decaying_cosine.py").read_text()
    for name, text in [("ann", good), ("abe", good), ("amy", good), ("ava", good),
                       ("ben", PARTIAL), ("bea", PARTIAL), ("bo", PARTIAL),
                       ("cal", STUB), ("cy", STUB), ("dan", "def decaying_cosine(x) oops:\n"),
                       ("gil", "import os\nos._exit(3)\n")]:
        (folder / f"{name}.py").write_text(text)
    (folder / "eve").mkdir()
    (folder / "eve" / "decaying_cosine.py").write_text(good)
    shutil.copy(ROOT / "examples" / "submissions" / A / "complete.ipynb", folder / "fay.ipynb")
    (folder / "hal.py").write_bytes(b"\xff\xfe not utf-8 \x00")
    return folder


def grade_all(course_file, klass, out, *options):
    result = CliRunner().invoke(cli, ["--course", str(course_file), "grade-all", str(klass),
                                      "-a", A, "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    with open(out, newline="") as fh:
        return {row["student_id"]: row for row in csv.DictReader(fh)}, result.output


@pytest.fixture(scope="module")
def local(course_file, klass, tmp_path_factory):
    """The local run's gradebook rows, the reference every cluster run must equal."""
    rows, _ = grade_all(course_file, klass, tmp_path_factory.mktemp("local") / "gb.csv",
                        "-j", "2")
    assert len(rows) == 14 and rows["ann"]["score"] == "5.0" and rows["cal"]["score"] == "0.0"
    assert 0 < float(rows["ben"]["score"]) < 5 and rows["hal"]["note"]
    return rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dask_cluster(tmp_path, n_workers, scheduler_env=None, grader_at=None):
    """A `dask scheduler` and `n_workers` `dask worker` processes on 127.0.0.1; yields
    (address, Client, {worker name: Popen}). Workers import this checkout's grader,
    or the one in the folder `grader_at[name]`."""
    from distributed import Client
    address = f"tcp://127.0.0.1:{free_port()}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    logs, procs, workers, client = tmp_path / "dask-logs", [], {}, None
    logs.mkdir()

    def start(name, args, extra_env=None):
        with open(logs / f"{name}.log", "wb") as log:
            procs.append(subprocess.Popen([str(BIN / "dask"), *args], cwd=tmp_path,
                                          env=dict(env, **(extra_env or {})), stdout=log,
                                          stderr=subprocess.STDOUT))
        return procs[-1]
    try:
        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port",
                            address.rsplit(":", 1)[1], "--dashboard-address", "127.0.0.1:0"],
              scheduler_env)
        for k in range(n_workers):
            name = f"w{k}"
            workers[name] = start(name, [
                "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                "--dashboard-address", "127.0.0.1:0", "--name", name,
                "--local-directory", str(tmp_path)],
                {"PYTHONPATH": str((grader_at or {}).get(name, ROOT))})
        client = Client(address, timeout=30)
        client.wait_for_workers(n_workers, timeout=60)
        yield address, client, workers
    finally:
        if client is not None:
            client.close()
        for p in reversed(procs):      # ours only, by pid
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_S   # a worker that ignores SIGTERM: no 15 s wait
        for p in procs:
            try:
                p.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_a_scheduler_and_two_workers_grade_like_a_local_run(course_file, klass, local,
                                                            tmp_path):
    """...and a third worker with another grader build refuses every shard it is given."""
    other = tmp_path / "other"
    shutil.copytree(ROOT / "grader", other / "grader",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with open(other / "grader" / "__init__.py", "a") as fh:
        fh.write("# another build of the grader\n")
    out = tmp_path / "gb.csv"
    with dask_cluster(tmp_path, 3, grader_at={"w2": other}) as (address, client, _workers):
        rows, output = grade_all(course_file, klass, out, "--cluster", address)
        assert rows == local, output               # row by row, every column
        assert "1 could not be graded" in output and "graded 14/14" in output   # hal
        assert "has a different grader installed" in output, output
        ran = {client.scheduler_info()["workers"][a]["name"]: n for a, n in client.run(
            lambda dask_worker: dask_worker.state.executed_count).items()}
        assert ran["w0"] and ran["w1"], ran        # both good workers graded shards
    # The cache the cluster wrote is the local run's: nothing is graded again here.
    again, output = grade_all(course_file, klass, out)
    assert again == local and "14 submissions (13 unchanged" in output   # hal is never cached


def test_a_worker_killed_mid_shard_loses_and_duplicates_nobody(course_file, klass, local,
                                                               tmp_path):
    """Two shards of 7, one per worker (each shard pays a fork server's start): w0 is
    killed well into its shard, which the scheduler then gives to w1."""
    out = tmp_path / "gb.csv"
    with dask_cluster(tmp_path, 2) as (address, client, workers):
        victim = next(a for a, w in client.scheduler_info()["workers"].items()
                      if w["name"] == "w0")
        result = {}
        run = threading.Thread(target=lambda: result.update(zip(("rows", "output"), grade_all(
            course_file, klass, out, "--cluster", address, "--shard-size", "7"))))
        run.start()
        try:
            busy_since = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                busy = any("grade-shard" in str(k) for k in client.processing().get(victim, ()))
                busy_since = (busy_since or time.monotonic()) if busy else None
                if busy_since and time.monotonic() - busy_since > 1.0:  # well into a shard
                    break
                time.sleep(0.05)
            assert busy_since, "w0 never started a shard"
            os.kill(workers["w0"].pid, signal.SIGKILL)
        finally:
            run.join(timeout=120)
    assert workers["w0"].wait(timeout=5) == -signal.SIGKILL
    rows = result["rows"]
    assert rows == local                      # each student once, with the local score
    assert "1 could not be graded" in result["output"]   # hal, unreadable


def test_a_shard_lost_for_good_is_not_a_zero_and_a_local_cluster_regrades_it(
        course_file, klass, local, tmp_path):
    out = tmp_path / "gb.csv"
    no_retry = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    with dask_cluster(tmp_path, 2, scheduler_env=no_retry) as (address, client, workers):
        victim = next(a for a, w in client.scheduler_info()["workers"].items()
                      if w["name"] == "w0")
        result = {}
        run = threading.Thread(target=lambda: result.update(zip(("rows", "output"), grade_all(
            course_file, klass, out, "--cluster", address, "--shard-size", "7"))))
        run.start()
        try:
            while not any("grade-shard" in str(k) for k in client.processing().get(victim, ())):
                time.sleep(0.05)
            time.sleep(0.5)
            os.kill(workers["w0"].pid, signal.SIGKILL)
        finally:
            run.join(timeout=120)
    rows = result["rows"]
    lost = {s for s, r in rows.items() if "fault of the grading cluster" in r["note"]}
    assert len(lost) == 7 and "could not be graded" in result["output"]   # w0's shard
    assert all(rows[s]["score"] == "" and rows[s]["checks_passed"].startswith("0/")
               for s in lost)                    # not graded: an empty cell, not a zero
    # The re-run, on a LocalCluster: only the lost ones and hal are graded again.
    again, output = grade_all(course_file, klass, out, "--cluster", "local:2")
    assert again == local and "on the Dask cluster local:2" in output
    assert f"({14 - len(lost | {'hal'})} unchanged" in output
