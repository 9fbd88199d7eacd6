"""The clusters file (`grade-all --cluster NAME`) and the Slurm cluster built from it (no Slurm)."""
import textwrap

import pytest

from grader.bulk import cluster as C

CAMPUS = """\
clusters:
  campus:
    kind: slurm
    jobs: 3
    wait_s: 900
    jobqueue:
      cores: 8
      processes: 8
      memory: 16GB
      queue: short
      walltime: "01:30:00"
      job-extra-directives: ["--account=cs101"]
      python: /opt/course/.venv/bin/python
      scheduler-options: {host: 127.0.0.1, dashboard_address: "127.0.0.1:0"}
  small:
    kind: slurm
"""


def clusters_file(tmp_path, text):
    path = tmp_path / "clusters.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_the_clusters_file_is_read_with_defaults(tmp_path):
    spec = C.load_clusters(clusters_file(tmp_path, CAMPUS))
    assert spec["campus"]["kind"] == "slurm" and spec["campus"]["jobs"] == 3
    assert spec["campus"]["wait_s"] == 900 and spec["campus"]["jobqueue"]["queue"] == "short"
    assert spec["small"] == {"kind": "slurm", "jobs": 1, "wait_s": 600.0, "jobqueue": {}}


@pytest.mark.parametrize("text, needle", [
    ("clusters:\n  c: {kind: slurmm}\n", "kind: expected one of slurm"),
    ("clusters:\n  c: {kind: slurm, jobs: 0}\n", "jobs: expected a whole number"),
    ("clusters:\n  c: {kind: slurm, job: 2}\n", "unknown key(s) job"),
    ("clusters:\n  c: {kind: slurm, jobqueue: {walltme: '1:00:00'}}\n",
     "unknown slurm setting(s) walltme"),
    ("clusters:\n  c: {kind: slurm, wait_s: -1}\n", "wait_s: expected seconds"),
    ("campus: {kind: slurm}\n", "one top-level key `clusters:`"),
    ("clusters: [\n", "cannot read it"),
])
def test_a_wrong_clusters_file_gets_a_clear_message(tmp_path, text, needle):
    with pytest.raises(C.ClusterError) as err:
        C.load_clusters(clusters_file(tmp_path, text))
    assert needle in str(err.value)


def test_the_clusters_file_is_found_next_to_course_yml_or_named(tmp_path, monkeypatch, course):
    monkeypatch.delenv(C.CLUSTERS_ENV, raising=False)
    with pytest.raises(C.ClusterError, match="tcp://host:port, local"):
        C.find_clusters_file(None, course=None)
    path = clusters_file(tmp_path, CAMPUS)
    monkeypatch.setenv(C.CLUSTERS_ENV, str(path))
    assert C.find_clusters_file(None, course) == path
    assert C.find_clusters_file(str(path), None) == path


def test_a_slurm_cluster_is_built_from_the_file_without_slurm(tmp_path):
    spec = C.load_clusters(clusters_file(tmp_path, CAMPUS))["campus"]
    cluster = C.jobqueue_cluster("campus", spec)   # a scheduler here; no job submitted
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in ("#SBATCH -p short", "#SBATCH -t 01:30:00", "#SBATCH --account=cs101",
                 "#SBATCH --cpus-per-task=8"):
        assert line in script, script
    worker = script.strip().splitlines()[-1]
    assert worker.startswith("/opt/course/.venv/bin/python -m distributed.cli.dask_worker tcp://")
    assert "--nthreads 1" in worker and "--nworkers 8" in worker


def test_local_addresses_are_checked():
    with pytest.raises(C.ClusterError, match="local or local:N"):
        C.local_cluster("local:0")
    with pytest.raises(C.ClusterError, match="local or local:N"):
        C.local_cluster("local:two")


def test_the_example_clusters_file_is_valid(root):
    spec = C.load_clusters(root / "examples" / "clusters.yml")["campus"]
    assert spec["kind"] == "slurm" and spec["jobs"] == 4 and spec["jobqueue"]["cores"] == 16
