"""`grade-all --cluster NAME` through dask-jobqueue's Slurm cluster, with stand-ins for Slurm.

`sbatch` here runs the job script dask-jobqueue wrote (its #SBATCH lines are
comments to a shell) in its own session on this machine; `scancel` ends that
session. So the clusters file, the job script and its `dask worker` command line
are the real ones; only the queue is not. Loopback only.
"""
import csv
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
A = "hw1_autograd"

SBATCH = """\
#!/bin/sh
# Stand-in for Slurm's sbatch: run the job script here, in a session of its own.
dir=$(dirname "$0")
n=$(ls "$dir" | grep -c '^job-.*\\.sh$')
cp "$1" "$dir/job-$n.sh"
setsid sh "$dir/job-$n.sh" > "$dir/job-$n.log" 2>&1 < /dev/null &
echo "$!" >> "$dir/jobs"
echo "Submitted batch job $!"
"""
SCANCEL = """\
#!/bin/sh
# Stand-in for Slurm's scancel: end the job's session (its id is the session leader's pid).
kill -TERM -- "-$1" 2>/dev/null
exit 0
"""


def gradebook(path):
    with open(path, newline="") as fh:
        return {row["student_id"]: row for row in csv.DictReader(fh)}


def test_a_slurm_cluster_named_in_the_clusters_file_grades_like_a_local_run(
        tmp_path, monkeypatch):
    fake = tmp_path / "fake-slurm"
    fake.mkdir()
    for name, text in (("sbatch", SBATCH), ("scancel", SCANCEL)):
        (fake / name).write_text(text)
        (fake / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))       # the job's workers import this grader
    klass = tmp_path / "class"
    klass.mkdir()
    good = (ROOT / "solutions" / A / "decaying_cosine.py").read_text()
    for name, text in [("ann", good), ("bob", "def decaying_cosine(x):\n    return 1.0\n"),
                       ("cat", "def decaying_cosine(x):\n    raise NotImplementedError\n"),
                       ("dan", good)]:
        (klass / f"{name}.py").write_text(text)
    course = tmp_path / "course.yml"
    course.write_text(textwrap.dedent("""\
        course: {id: c, title: C}
        limits: {memory_mb: 4096}
        assignments:
          hw1_autograd:
            title: HW1
            preload: [numpy, autograd]
            exercises:
              decaying_cosine:
                title: decaying cosine
                time_limit_s: 3
                checks:
                  - {name: values, points: 1}
                  - {name: gradient, points: 2}
        """))
    (tmp_path / "clusters.yml").write_text(textwrap.dedent(f"""\
        clusters:
          hpc:
            kind: slurm
            jobs: 1
            wait_s: 60
            jobqueue:
              cores: 2
              processes: 2
              memory: 2GB
              walltime: "00:10:00"
              python: {sys.executable}
              local-directory: {tmp_path}
              worker-extra-args: ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"]
              scheduler-options: {{host: 127.0.0.1, dashboard_address: "127.0.0.1:0"}}
        """))
    run = CliRunner()
    base = ["--course", str(course), "grade-all", str(klass), "-a", A, "--no-cache"]
    local = run.invoke(cli, [*base, "--out", str(tmp_path / "local.csv"), "-j", "2"])
    assert local.exit_code == 0, local.output
    try:
        slurm = run.invoke(cli, [*base, "--out", str(tmp_path / "slurm.csv"), "--cluster", "hpc"])
        assert slurm.exit_code == 0, slurm.output
        assert "submitted 1 slurm job(s)" in slurm.output
    finally:
        jobs = [int(p) for p in (fake / "jobs").read_text().split()] if (
            fake / "jobs").exists() else []
        for pgid in jobs:                    # scancel should have ended them; ours, by id
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert gradebook(tmp_path / "slurm.csv") == gradebook(tmp_path / "local.csv")
    assert gradebook(tmp_path / "local.csv")["ann"]["score"] == "3.0"
    script = (fake / "job-0.sh").read_text()
    assert "#SBATCH --cpus-per-task=2" in script and "--nworkers 2" in script
    assert len(jobs) == 1
