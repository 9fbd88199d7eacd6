"""templates/github-classroom.yml where it runs: its steps' `run:` scripts, taken from the
YAML and executed in order as a GitHub runner executes them (bash -eo pipefail, the
workflow's env, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_WORKSPACE in a temporary
job folder), in a fresh venv built only from the requirements-grading.txt that
`grader classroom` writes. `uses:` steps are emulated: the checkouts are the release
bundle (submission/) and the grader repository (.grader/), setup-python is the fresh
venv's python first on PATH, the reporter is its summing rule (reporter_points), the
artifact upload is junit.xml being there."""
import base64
import os
import re
import shutil
import subprocess
import time

import pytest
import yaml

from grader.authoring.classroom import REQUIREMENTS, build_classroom_repo
from grader.authoring.release import build_release

from tests.conftest import ROOT
from tests.e2e.fresh_venv import clean_env, fresh_venv
from tests.unit.reports.test_formats import reporter_points

A = "hw1_autograd"
WORKFLOW = yaml.safe_load((ROOT / "templates" / "github-classroom.yml").read_text())
JOB = WORKFLOW["jobs"]["run-autograding-tests"]
STEPS = JOB["steps"]
TIMINGS = {}
# The tools the steps' scripts call, linked into a PATH that has no bwrap.
TOOLS = ("bash", "sh", "base64", "cat", "head", "mkdir", "rm", "env", "dirname")
# sudo on the runner: "exit 0" stands for apt-get installing bubblewrap (already on this
# machine) and sysctl; "exit 100" for apt-get failing (no bubblewrap).
SUDO = "#!/bin/sh\nexit {status}\n"


def step(name):
    return next(s for s in STEPS if s.get("name") == name or s.get("id") == name)


def test_names_the_reporter_requires_and_its_wiring():
    """The reporter uploads nothing unless the workflow is 'Autograding Tests' with the
    job run-autograding-tests; it reads the Grade step's output as the runner `custom`."""
    assert WORKFLOW["name"] == "Autograding Tests"
    assert list(WORKFLOW["jobs"]) == ["run-autograding-tests"]
    reporter = step("Report points to GitHub Classroom")
    assert reporter["if"] == "always() && env.CLASSROOM == 'true'"
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "custom"
    assert reporter["env"]["CUSTOM_RESULTS"] == "${{ steps.custom.outputs.result }}"
    assert WORKFLOW["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    install = step("Install the sandbox and the grading requirements")["run"]
    assert install.index("apt-get update") < install.index("apt-get install")
    assert f".grader/{REQUIREMENTS}" in install
    assert step("Keep the JUnit report")["with"]["path"] == "junit.xml"


# ------------------------------------------------------------------ running the workflow
def condition_holds(expr, env, failed):
    """The few `if:` expressions the template uses: always(), success(), and
    env.NAME == / != 'text', joined by &&. Anything else fails the test (teach it here)."""
    if expr is None:
        return not failed
    verdicts = []
    for term in (t.strip() for t in str(expr).split("&&")):
        m = re.fullmatch(r"env\.(\w+)\s*(==|!=)\s*'([^']*)'", term)
        if term == "always()":
            verdicts.append(True)
        elif term == "success()":
            verdicts.append(not failed)
        elif m:
            verdicts.append((env.get(m.group(1), "") == m.group(3)) == (m.group(2) == "=="))
        else:
            raise AssertionError(f"the test cannot evaluate `if: {expr}`")
    if "always()" not in str(expr) and failed:
        return False
    return all(verdicts)


def run_workflow(job, venv, sudo_status, **overrides):
    """Run every `run:` step of the job in `job` (the workspace); returns
    {step name: CompletedProcess or None if skipped}, {output: value}, summary text."""
    tools = job / "tools"
    if not tools.exists():
        tools.mkdir()
        for tool in TOOLS:
            os.symlink(shutil.which(tool), tools / tool)
    (tools / "sudo").write_text(SUDO.format(status=sudo_status))
    (tools / "sudo").chmod(0o755)
    github = {"GITHUB_WORKSPACE": str(job), "GITHUB_OUTPUT": str(job / "_output"),
              "GITHUB_STEP_SUMMARY": str(job / "_summary"), "GITHUB_ENV": str(job / "_env"),
              "RUNNER_TEMP": str(job / "_temp"), "CI": "true", "GITHUB_ACTIONS": "true"}
    env = clean_env(**{**github, **WORKFLOW["env"], **overrides,
                       "PATH": f"{venv / 'bin'}:{tools}"})   # setup-python; no bwrap on it
    if sudo_status == 0:
        env["PATH"] += f":{os.path.dirname(shutil.which('bwrap'))}"
    for name in ("_output", "_summary", "_env"):
        (job / name).write_text("")
    (job / "_temp").mkdir(exist_ok=True)
    runs, failed = {}, False
    for s in STEPS:
        name = s.get("name") or s.get("uses")
        if "uses" in s or not condition_holds(s.get("if"), env, failed):
            runs[name] = None
            continue
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               s["run"]], cwd=job, env=dict(env, **s.get("env", {})),
                              capture_output=True, text=True, timeout=900)
        runs[name] = done
        failed = failed or done.returncode != 0
    outputs = dict(line.split("=", 1) for line in (job / "_output").read_text().splitlines())
    return runs, outputs, (job / "_summary").read_text()


@pytest.fixture(scope="module")
def venv(course, tmp_path_factory):
    """The fresh venv of requirements-grading.txt, as setup-python + pip would make it."""
    repo = build_classroom_repo(course, A, tmp_path_factory.mktemp("req") / "grader")
    started = time.perf_counter()
    folder = fresh_venv((repo / REQUIREMENTS).read_text())
    TIMINGS["fresh venv from requirements-grading.txt"] = time.perf_counter() - started
    return folder


def checkout(course, folder, completed):
    """The job's workspace: submission/ (the release bundle, its .py files completed with
    the reference when `completed`) and .grader/ (`grader classroom`)."""
    build_release(course, A, folder / "submission")
    build_classroom_repo(course, A, folder / ".grader")
    if completed:
        for f in (ROOT / "solutions" / A).glob("*.py"):
            if not f.name.startswith("_"):
                shutil.copyfile(f, folder / "submission" / "assignments" / A / f.name)
    return folder


def total_points(course):
    return sum(c.points for c in course.checks_for(A))


@pytest.mark.slow
def test_classroom_mode_gives_a_completed_submission_full_points(venv, course, tmp_path):
    job = checkout(course, tmp_path / "job", completed=True)
    started = time.perf_counter()
    runs, outputs, summary = run_workflow(job, venv, sudo_status=0)
    TIMINGS["workflow, completed submission (bwrap)"] = time.perf_counter() - started
    grade = runs["Grade"]
    assert all(r is None or r.returncode == 0 for r in runs.values()), grade.stderr[-3000:]
    total, top, failed = reporter_points({"CUSTOM_RESULTS": outputs["result"]}, "custom")
    assert (total, top, failed) == (total_points(course), total_points(course), False), \
        grade.stdout[-3000:] + grade.stderr[-3000:]
    assert f"### {A}: {total_points(course):g} / {total_points(course):g} points" in summary
    assert (job / "junit.xml").is_file()          # the artifact
    assert "No sandbox" not in grade.stdout       # bwrap was there
    assert runs["Below FAIL_UNDER"] is None       # FAIL_UNDER is empty


@pytest.mark.slow
def test_plain_actions_mode_without_bwrap_grades_the_untouched_bundle_zero(venv, course,
                                                                           tmp_path):
    """No Classroom, bubblewrap cannot be installed: the run still grades (and says how),
    the job summary has 0 of the same maximum, FAIL_UNDER turns it red."""
    job = checkout(course, tmp_path / "job", completed=False)
    started = time.perf_counter()
    runs, outputs, summary = run_workflow(job, venv, sudo_status=100, CLASSROOM="false",
                                          FAIL_UNDER="30")
    TIMINGS["workflow, untouched bundle (no bwrap)"] = time.perf_counter() - started
    install, grade = runs["Install the sandbox and the grading requirements"], runs["Grade"]
    assert install.returncode == 0, install.stderr[-3000:]
    assert "bubblewrap could not be installed" in install.stdout
    assert grade.returncode == 0, grade.stderr[-3000:]
    assert "WITHOUT a sandbox" in grade.stdout and "WITHOUT a sandbox" in summary
    assert runs["Report points to GitHub Classroom"] is None
    total, top, failed = reporter_points({"CUSTOM_RESULTS": outputs["result"]}, "custom")
    assert (total, top) == (0, total_points(course)), grade.stdout[-3000:]
    assert f"### {A}: 0 / {total_points(course):g} points" in summary
    assert (job / "junit.xml").is_file()
    assert runs["Below FAIL_UNDER"].returncode == 3   # red below 30
    print("\n" + "\n".join(f"{k:<45} {v:6.1f} s" for k, v in TIMINGS.items()))


@pytest.mark.slow
def test_the_grade_step_reports_an_error_when_the_grader_cannot_run(venv, course, tmp_path):
    job = checkout(course, tmp_path / "job", completed=False)
    (job / ".grader" / "course.yml").write_text("assignments: nonsense\n")
    runs, outputs, summary = run_workflow(job, venv, sudo_status=0)
    assert runs["Grade"].returncode == 0
    assert '"status": "error"' in base64.b64decode(outputs["result"]).decode()
    assert "NOT GRADED: the grader could not run" in summary
