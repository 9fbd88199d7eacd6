"""templates/github-classroom.yml: its Grade step, run as GitHub runs it on a release bundle
with the repository `grader classroom` builds, hands the reporter a result that adds up."""
import base64
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from grader.authoring.classroom import build_classroom_repo
from grader.authoring.release import build_release

from tests.conftest import ROOT
from tests.unit.reports.test_formats import reporter_points

WORKFLOW = yaml.safe_load((ROOT / "templates" / "github-classroom.yml").read_text())
STEPS = WORKFLOW["jobs"]["run-autograding-tests"]["steps"]


def step(name):
    return next(s for s in STEPS if s.get("name") == name or s.get("id") == name)


def test_the_reporter_always_runs_and_reads_the_grade_step():
    reporter = step("Report points to GitHub Classroom")
    assert reporter["if"] == "always()"
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "custom"
    assert reporter["env"]["CUSTOM_RESULTS"] == "${{ steps.custom.outputs.result }}"
    assert WORKFLOW["permissions"] == {"actions": "read", "contents": "read"}
    assert "requirements-grading.txt" in step("Install the grading requirements (pinned; "
                                              "CPU torch) and the sandbox")["run"]


def run_grade_step(tmp_path, fail_under=""):
    """Run the Grade step's script with bash -eo pipefail, as GitHub does; returns
    (exit status, {step output: value})."""
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "PYTHONPATH")}
    env.update(WORKFLOW["env"], FAIL_UNDER=fail_under, GITHUB_OUTPUT=str(tmp_path / "out"),
               PATH=f"{os.path.dirname(sys.executable)}:{env['PATH']}")
    run = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                          step("custom")["run"]], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in (tmp_path / "out").read_text().splitlines())
    return run, outputs


@pytest.fixture(scope="module")
def checkout(course, tmp_path_factory):
    """The job's working directory: submission/ (a release bundle) and .grader/."""
    tmp = tmp_path_factory.mktemp("workflow")
    build_release(course, "hw1_autograd", tmp / "submission")
    build_classroom_repo(course, "hw1_autograd", tmp / ".grader")
    return tmp


@pytest.mark.slow
def test_grade_step_gives_true_points_and_colours_only_below_fail_under(checkout, course):
    mine = checkout / "submission" / "assignments" / "hw1_autograd" / "decaying_cosine.py"
    shutil.copyfile(ROOT / "solutions" / "hw1_autograd" / "decaying_cosine.py", mine)
    run, outputs = run_grade_step(checkout)
    assert run.returncode == 0, run.stderr
    total, top, failed = reporter_points({"CUSTOM_RESULTS": outputs["result"]}, "custom")
    expected = sum(c.points for c in course.checks_for("hw1_autograd", ["decaying_cosine"]))
    assert (total, top) == (expected, sum(c.points for c in course.checks_for("hw1_autograd")))
    assert not failed and "decaying_cosine" in run.stdout  # the text report in the log
    run, outputs = run_grade_step(checkout, fail_under="30")
    assert run.returncode == 0 and reporter_points({"CUSTOM_RESULTS": outputs["result"]},
                                                   "custom")[:3] == (total, top, True)


@pytest.mark.slow
def test_grade_step_reports_an_error_when_the_grader_cannot_run(checkout, tmp_path):
    broken = tmp_path / "job"
    shutil.copytree(checkout, broken, ignore=shutil.ignore_patterns("*.json", "*.xml", "out"))
    (broken / ".grader" / "course.yml").write_text("assignments: nonsense\n")
    run, outputs = run_grade_step(broken)
    assert run.returncode == 0
    data = base64.b64decode(outputs["result"]).decode()
    assert '"status": "error"' in data
