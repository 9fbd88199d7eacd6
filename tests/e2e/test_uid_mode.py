"""Official grading without bubblewrap: the uid drop, and the refusal where there is none.

A machine without bubblewrap where the grader runs as root (Gradescope's containers,
most CI runners) is simulated here: PATH without `bwrap`, and, because this machine's
Python lives under /root (0700, which no other uid can enter), the grader runs in a
private mount namespace (`unshare --mount`) in which /root is a 0755 tmpfs with the
Python install bound back: Python is reachable by other uids, as /usr/bin/python3 is on
Gradescope. Nothing outside that namespace changes. The course, results and class
folders live in a world-readable folder under /tmp, so only the grader's own
hiding (grader/execution/hiding.py) keeps the submission's uid out.

Each test drives the command line (or the Gradescope bundle's run_autograder) in a
subprocess and judges the report and what the attack submission printed.
"""
import csv
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from tests.e2e.test_jail_attacks import (FULL, JAIL, POINTS, REFERENCE, WRONG, evidence,
                                         scores, submission, why, write_course)

pytestmark = pytest.mark.adversarial
ROOT = Path(__file__).resolve().parents[2]
A = "hw1_autograd"
# Makes /root traversable by other uids except for the Python install's own folder
# ($install, the top folder of sys.base_prefix under /root), bound back in place.
WRAP = r"""set -e
keep=$1; path=$2; install=$3; shift 3
mount --bind "$install" "$keep"
mount -t tmpfs -o mode=755 tmpfs /root
mkdir -p "$install"
mount --bind "$keep" "$install"
PATH=$path exec "$@"
"""


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    """A world-readable folder under /tmp (0755): only the grader's hiding protects it."""
    folder = Path(tempfile.mkdtemp(prefix="grader-uidtest-", dir="/tmp"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def run_public(public):
    """run(argv, env) -> CompletedProcess: argv as root in a namespace where Python is
    reachable by other uids and bwrap is not on PATH; skips where that cannot be built."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare(1) to simulate a machine without bubblewrap")
    if not sys.base_prefix.startswith("/root/"):
        pytest.skip("this machine's Python is not under /root; the simulation is for that")
    install = Path("/root", Path(sys.base_prefix).relative_to("/root").parts[0])
    script, keep = public / "wrap.sh", public / "keep"
    script.write_text(WRAP)
    keep.mkdir()
    empty = tools_without_bwrap(public / "bin-without-bwrap")

    def run(argv, env=None, timeout=240):
        env = dict(env or {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")})
        env["PATH"] = os.environ["PATH"]   # for the wrapper; the grader gets `empty` only
        argv = [str(a) for a in argv]
        if not os.path.isabs(argv[0]):
            argv[0] = shutil.which(argv[0])
        return subprocess.run([shutil.which("unshare"), "--mount", "--propagation", "private",
                               shutil.which("sh"), str(script), str(keep), str(empty),
                               str(install), *argv],
                              env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    probe = run([sys.executable, "-c", OTHER_UID_RUNS_PYTHON])
    if probe.stdout.strip() != "True":
        pytest.skip(f"could not simulate uid mode here: {probe.stdout} {probe.stderr[-500:]}")
    return run


# Prints True if an unrelated unprivileged uid can run this Python with numpy (the
# condition of uid mode), without asking the grader.
OTHER_UID_RUNS_PYTHON = (
    "import os, subprocess, sys\n"
    "def drop():\n    os.setgroups([]); os.setresgid(1234567, 1234567, 1234567); "
    "os.setresuid(1234567, 1234567, 1234567)\n"
    "ok = os.geteuid() == 0 and subprocess.run([sys.executable, '-I', '-c', 'import numpy'], "
    "cwd='/', preexec_fn=drop, capture_output=True).returncode == 0\n"
    "print(ok)\n")


def other_uid_runs_python(env=None):
    done = subprocess.run([sys.executable, "-c", OTHER_UID_RUNS_PYTHON], env=env,
                          capture_output=True, text=True, timeout=120)
    return done.stdout.strip() == "True"


def tools_without_bwrap(folder):
    """A PATH folder with the few tools run_autograder uses, and no bwrap."""
    folder.mkdir()
    for tool in ("bash", "sh", "mkdir", "rm", "cat"):
        os.symlink(shutil.which(tool), folder / tool)
    return folder


def grade_cli(run, course, path, *extra):
    done = run([sys.executable, "-m", "grader", "--course", course, "grade", path, "-a", A,
                "--format", "json", *extra])
    try:
        return done, json.loads(done.stdout)
    except ValueError:
        return done, None


def modes(paths):
    return {str(p): stat.S_IMODE(os.lstat(p).st_mode) for p in paths}


def test_uid_mode_hides_the_graders_files_and_other_submissions(public, run_public, tmp_path):
    course = write_course(public / "course")
    (public / "course" / "solutions").mkdir()
    shutil.copyfile(REFERENCE, public / "course" / "solutions" / "decaying_cosine.py")
    results = public / "results"
    results.mkdir(exist_ok=True)
    klass = public / "class"
    submission(klass / "other")   # another student's correct submission
    secrets = [course, public / "course" / "solutions" / "decaying_cosine.py",
               ROOT / "course.yml", ROOT / "solutions" / "hw1_autograd" / "decaying_cosine.py",
               ROOT / "grader" / "checks" / "hw1_autograd" / "decaying_cosine.py",
               results, klass / "other" / "decaying_cosine.py", klass]
    attacker = submission(klass / "attacker", base=WRONG, extra="nobwrap_read_paths.py",
                          extra_name="zz_read.py", PATHS=json.dumps([str(p) for p in secrets]),
                          RESULTS_DIR=json.dumps(str(results)))
    before = modes([ROOT, ROOT / "grader", ROOT / "course.yml", public / "course", klass])
    done, report = grade_cli(run_public, course, attacker, "--out", results / "results.json")
    assert done.returncode == 0 and report is not None, done.stderr[-2000:]
    assert evidence(report["output"], "READ-PATHS") == [], "the submission read our files"
    assert "KILL-PARENT 1" in report["output"]            # EPERM
    assert "WROTE-RESULTS refused" in report["output"]
    from grader.execution import sandbox
    if sandbox.student_seccomp() is not None:   # part A's filter, loaded after the uid drop
        assert "UNSHARE 1" in report["output"], report["output"][-500:]   # EPERM
    assert report["score"] == 0 and any("unprivileged uid" in n for n in report["notes"])
    written = json.loads((results / "results.json").read_text())
    assert written["score"] == 0
    assert modes(before) == before, "the grader did not put the permissions back"


def test_uid_mode_keeps_full_marks_for_a_correct_submission(public, run_public):
    course = write_course(public / "course2")
    done, report = grade_cli(run_public, course, submission(public / "good"))
    assert done.returncode == 0 and report is not None, done.stderr[-2000:]
    assert scores(report) == POINTS, why(report)


@pytest.mark.parametrize("attack", ["nobwrap_forge_results.py", "nobwrap_forge_stdout.py"])
def test_uid_mode_submission_cannot_kill_the_grader_or_forge_its_report(public, run_public,
                                                                        attack):
    course = write_course(public / "course3")
    folder = submission(public / f"forge-{attack[:-3]}", base=WRONG, extra=attack,
                        extra_name="zz_forge.py")
    out = public / f"results-{attack[:-3]}.json"
    done, report = grade_cli(run_public, course, folder, "--out", out)
    assert done.returncode == 0 and report is not None, (done.returncode, done.stdout[:300])
    assert report["score"] == 0 and len(report["checks"]) == len(POINTS)
    assert json.loads(out.read_text())["score"] == 0


def test_without_any_isolation_official_grading_refuses(tmp_path):
    """This machine as it is (Python under /root: no uid can run it) without bwrap."""
    course = write_course(tmp_path / "course")
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(PATH=str(empty), TMPDIR=str(tmp_path))
    if other_uid_runs_python(env):
        pytest.skip("a uid drop is possible here; the refusal cannot be shown")
    args = [sys.executable, "-m", "grader", "--course", course, "grade", REFERENCE, "-a", A,
            "--format", "json"]
    refused = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "refusing to grade without a sandbox" in refused.stderr
    allowed = subprocess.run(args + ["--allow-unsandboxed"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    report = json.loads(allowed.stdout)
    assert scores(report) == POINTS
    assert any("WITHOUT a sandbox" in n for n in report["notes"])
    gradeall = subprocess.run([sys.executable, "-m", "grader", "--course", course, "grade-all",
                               REFERENCE.parent, "-a", A, "--out", tmp_path / "g.csv"],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert gradeall.returncode == 1 and "refusing" in gradeall.stderr


def _bundle(public, allow=False):
    from grader.authoring.gradescope import build_autograder_zip
    from grader.config import load_course
    out = public / ("autograder-allow.zip" if allow else "autograder.zip")
    build_autograder_zip(load_course(write_course(public / "gs-course")), A, out,
                         allow_unsandboxed=allow)
    return out


def _fake_autograder(public, name, bundle, files):
    root = public / name
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    for fname, text in files.items():
        (root / "submission" / fname).write_text(text)
    os.chmod(root, 0o755)
    return root


def test_gradescope_bundle_without_bwrap_resists_forgery_kill_and_import(public, run_public):
    """run_autograder (uid mode) against a fake /autograder: the submission imports the
    bundle's expected-value code, forges results.json and kills every ancestor."""
    root = _fake_autograder(public, "autograder", _bundle(public), {})
    attack = (JAIL / "gradescope_forge.py").read_text().replace("{ROOT}", json.dumps(str(root)))
    (root / "submission" / "decaying_cosine.py").write_text(WRONG.read_text())
    (root / "submission" / "zz_forge.py").write_text(attack)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(GRADER_AUTOGRADER_ROOT=str(root), GRADER_PYTHON=sys.executable)
    done = run_public(["bash", root / "source" / "run_autograder"], env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads((root / "results" / "results.json").read_text())
    assert data.get("output") != "forged" and data["tests"], data
    assert data["score"] == 0, data["output"][-1500:]
    assert "IMPORTED-EXPECTED no" in data["output"] and "FORGED refused" in data["output"]
    assert "KILLED []" in data["output"]


def test_gradescope_bundle_without_any_isolation_refuses_unless_allowed(tmp_path):
    if other_uid_runs_python():
        pytest.skip("a uid drop is possible here; the refusal cannot be shown")
    tools = tools_without_bwrap(tmp_path / "bin")
    for allow in (False, True):
        root = _fake_autograder(tmp_path, f"ag-{allow}", _bundle(tmp_path, allow),
                                {"decaying_cosine.py": REFERENCE.read_text()})
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
        env.update(GRADER_AUTOGRADER_ROOT=str(root), GRADER_PYTHON=sys.executable,
                   PATH=str(tools))
        subprocess.run(["/bin/bash", str(root / "source" / "run_autograder")], env=env,
                       check=True, timeout=240, capture_output=True)
        data = json.loads((root / "results" / "results.json").read_text())
        if allow:
            assert data["score"] == FULL and "WITHOUT a sandbox" in data["output"]
        else:
            assert data["score"] == 0 and "refusing to grade without a sandbox" in data["output"]


# ============== the fork server and other submissions, out of a submission's reach
ATTACKS = ("mem", "environ", "fd", "mountinfo", "signal", "pidfd_open", "pidfd_signal",
           "pidfd_getfd", "vm_readv", "kcmp", "ptrace", "injected")


def grade_all_cli(run, course, klass, out, jobs):
    """grade-all in uid mode: ({student: csv row}, {student: json report}, stderr)."""
    done = run([sys.executable, "-m", "grader", "--course", course, "grade-all", klass, "-a",
                A, "--out", out, "-j", str(jobs), "--format", "json"])
    assert done.returncode == 0, done.stderr[-2000:]
    assert "fork server unavailable" not in done.stderr, done.stderr[-2000:]
    with open(out, newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    reports = {r["student_id"]: r for r in json.loads(Path(out).with_suffix(".json")
                                                        .read_text("utf-8"))}
    return rows, reports, done.stderr


def refused_everything(seen):
    return {k: seen[k] for k in ATTACKS if seen[k]}


def own_uid_without_privilege(seen):
    """The attacker ran as a uid of its own (not the fork servers', not the other
    submission's), with no capability, no_new_privs and the seccomp filter."""
    me = seen["self"]
    uid = me["uid"][0]
    assert me["uid"] == [uid] * 4 and uid != 0, me
    others = {seen["uids"][str(p)] for p in seen["fork_servers"] + seen["other_submission"]}
    assert uid not in others and len(others) == len(seen["fork_servers"]) + len(
        seen["other_submission"]), (uid, seen["uids"])
    assert me["caps"] == [0, 0, 0, 0] and me["no_new_privs"] == 1, me
    from grader.execution import sandbox
    if sandbox.student_seccomp() is not None:
        assert me["seccomp"] == 2, me


def test_uid_mode_fork_server_is_out_of_reach_and_later_forks_grade_fully(public, run_public):
    """-j 1: a_attacker opens /proc/<fork server>/{mem,environ,fd,mountinfo}, signals it,
    pidfd_open + pidfd_getfd on it (its control socket to the grader), process_vm_readv,
    kcmp, ptrace, and pokes its memory; b_victim, forked next by the same fork server,
    keeps full marks."""
    course = write_course(public / "course-fs")
    klass = public / "class-fs"
    submission(klass / "a_attacker", extra="attack_grader_processes.py",
               extra_name="zz_attack.py", WAIT_S=0)
    submission(klass / "b_victim")
    rows, reports, _err = grade_all_cli(run_public, course, klass, public / "fs.csv", jobs=1)
    seen = evidence(reports["a_attacker"]["output"], "PROCESS-ATTACK")
    assert seen["fork_servers"], f"the attack found no fork server: {seen}"
    assert refused_everything(seen) == {}, seen
    own_uid_without_privilege(seen)
    assert scores(reports["b_victim"]) == POINTS, why(reports["b_victim"])
    assert scores(reports["a_attacker"]) == POINTS, why(reports["a_attacker"])


# b_sleeper stays alive while a_attacker's processes run, 12 s at most (each of its
# processes: the public and the hidden checks'): until it has seen one and then none for a
# second. "The attacker" is a process of this grade-all run (below the command) forked by
# a fork server other than ours, running as a uid other than its parent's. Should the
# sleeper leave early, the attack reports no other submission and the test fails.
SLEEPER = """\
import os, time


def table():   # {pid: (parent pid, uid, command line)}
    rows = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/status") as fh:
                field = dict(ln.split(":", 1) for ln in fh.read().splitlines() if ":" in ln)
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                rows[int(entry)] = (int(field["PPid"]), int(field["Uid"].split()[0]), fh.read())
        except (OSError, KeyError, ValueError):
            pass
    return rows


def attackers():
    rows, pid, chain = table(), int(os.readlink("/proc/self")), []
    while pid in rows and pid not in chain:
        chain.append(pid)
        pid = rows[pid][0]
    run = next((p for p in chain if b"grade-all" in rows[p][2]), None)

    def top_server(p):   # the topmost fork server above (or at) p
        top = None
        while p in rows and b"forkserver" in rows[p][2]:
            top, p = p, rows[p][0]
        return top

    def in_run(p):
        while p in rows and p != run:
            p = rows[p][0]
        return p == run

    ours = top_server(chain[0]) if chain else None
    return [p for p, (parent, uid, cmd) in rows.items()
            if run and b"forkserver" in cmd and parent in rows
            and b"forkserver" in rows[parent][2] and uid != rows[parent][1]
            and top_server(p) != ours and in_run(p)]


start, seen, last = time.monotonic(), False, 0.0
while time.monotonic() < start + 12:
    if attackers():
        seen, last = True, time.monotonic()
    elif seen and time.monotonic() - last > 1.0:
        break
    time.sleep(0.05)
print("SLEPT", round(time.monotonic() - start, 1), "s; saw the attacker:", seen)
"""


def test_uid_mode_submission_cannot_reach_another_graded_at_the_same_time(public, run_public):
    """-j 2: a_attacker waits for b_sleeper's process (forked by the other worker's fork
    server, alive while the attacker runs) and attacks it and both fork servers."""
    course = write_course(public / "course-pair")
    klass = public / "class-pair"
    submission(klass / "a_attacker", extra="attack_grader_processes.py",
               extra_name="zz_attack.py", WAIT_S=40)
    (submission(klass / "b_sleeper") / "zz_sleep.py").write_text(SLEEPER)
    rows, reports, _err = grade_all_cli(run_public, course, klass, public / "pair.csv", jobs=2)
    seen = evidence(reports["a_attacker"]["output"], "PROCESS-ATTACK")
    assert seen["other_submission"], f"the attack never saw the other submission: {seen}"
    assert len(seen["fork_servers"]) >= 2, seen
    assert refused_everything(seen) == {}, seen
    own_uid_without_privilege(seen)
    for student in ("a_attacker", "b_sleeper"):
        assert scores(reports[student]) == POINTS, why(reports[student])
    print("\n" + "\n".join(ln for ln in reports["b_sleeper"]["output"].splitlines()
                            if ln.startswith("SLEPT")))
