"""Escapes from the sandbox and attacks on the trusted parent, written before the fixes.

Each test grades a submission from tests/adversarial/jail/ (each file's docstring says
the attack and the expected outcome) through the command line only, in a subprocess:

    python -m grader --course C grade PATH -a A --format json
    python -m grader --course C grade-all FOLDER -a A --out CSV -j 1 --format json

and judges the JSON report / gradebook CSV it leaves. `-j 1`: one worker, so the
students of a class share one fork server, the way later students get hurt. Nothing
here imports the grader. The course is cut down (hw1_autograd, the decaying_cosine
exercise only, short limits) to keep every grading to a few seconds.

Classes of attack (from the audit), one section each:
  1. root in the jail: capabilities, uid 0, remounting read-only binds writable
  2. grade-all: ptrace of the shared fork server to sabotage later students
  3. state left between the students of one grade-all worker
  4. no bubblewrap: secrets on disk, forged results file, forged stdout
  5. wall-clock time limits on a loaded machine
  6. the parent: special files in a class folder, memory, CSV formula injection

Side effects while the jail is still weak: probe_inside.py creates and at once deletes
one `.jailprobe-<mark>` file in /usr, the Python install and the staged grader copy (it
only asks os.access about the virtualenv); the no-bubblewrap tests point TMPDIR into
their tmp_path, so what a killed grader leaves behind stays there; every process a test
starts is killed in a finally.
"""
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import ATTACK_LIMITS, course_variant

pytestmark = pytest.mark.adversarial

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "adversarial"
JAIL = CORPUS / "jail"
REFERENCE = ROOT / "solutions" / "hw1_autograd" / "decaying_cosine.py"
WRONG = CORPUS / "wrong_base.py"
A, EX = "hw1_autograd", "decaying_cosine"
POINTS = {"values": 1.0, "gradient": 2.0, "autograd_traceable": 1.0, "gradient_hidden": 1.0}
FULL = sum(POINTS.values())
NO_SANDBOX_WORDS = "without a sandbox"


# ------------------------------------------------------------------- helpers
def write_course(folder, time_limit_s=4.0):
    """course.yml with hw1_autograd / decaying_cosine only and short limits."""
    return course_variant(folder, exercises=[EX], time_limit_s=time_limit_s, alone=True,
                          limits=ATTACK_LIMITS, assignment=A)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_course(tmp_path_factory.mktemp("jail-course"))


def run_cli(args, env=None, timeout=180, cwd=ROOT, preexec_fn=None):
    """Run `python -m grader ARGS` in its own session; on timeout kill the whole group.

    Returns (returncode, stdout, stderr); returncode is None when it did not finish."""
    proc = subprocess.Popen([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd,
                            env=env if env is not None else dict(os.environ),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=preexec_fn)  # noqa: PLW1509 - only an rlimit
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        _killpg(proc.pid)
        out, err = proc.communicate()
        return None, out, err


def _killpg(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def grade(course, path, env=None, extra=(), timeout=180):
    """`grade PATH --format json`: (returncode, parsed report or None, stdout, stderr)."""
    rc, out, err = run_cli(["--course", course, "grade", path, "-a", A, "--format", "json",
                            *extra], env=env, timeout=timeout)
    try:
        report = json.loads(out)
    except ValueError:
        report = None
    return rc, report, out, err


def grade_all(course, folder, out_csv, env=None, timeout=240, preexec_fn=None):
    """`grade-all FOLDER --out CSV -j 1 --format json`:
    (returncode, {student: csv row}, {student: json report}, stderr)."""
    rc, _out, err = run_cli(["--course", course, "grade-all", folder, "-a", A, "--out", out_csv,
                             "-j", "1", "--format", "json"], env=env, timeout=timeout,
                            preexec_fn=preexec_fn)
    rows, reports = {}, {}
    if Path(out_csv).is_file():
        with open(out_csv, newline="", encoding="utf-8") as fh:
            rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    report_file = Path(out_csv).with_suffix(".json")
    if report_file.is_file():
        reports = {r["student_id"]: r for r in json.loads(report_file.read_text("utf-8"))}
    return rc, rows, reports, err


def submission(folder, base=REFERENCE, extra=None, extra_name="zz_extra.py", **subs):
    """A folder: `base` as decaying_cosine.py, then jail/`extra` (with {KEY} filled in)."""
    folder.mkdir(parents=True)
    shutil.copyfile(base, folder / "decaying_cosine.py")
    if extra:
        text = (JAIL / extra).read_text(encoding="utf-8")
        for key, value in subs.items():
            text = text.replace("{" + key + "}", str(value))
        (folder / extra_name).write_text(text, encoding="utf-8")
    return folder


def evidence(output, tag):
    """The JSON after `tag ` on the line the submission printed, or fail showing the output."""
    for line in output.splitlines():
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1:])
    pytest.fail(f"the submission did not report {tag}; it printed:\n{output[-3000:]}")


def scores(report):
    return {c["name"]: c["score"] for c in report["checks"]}


def why(report):
    return [(c["name"], c["status"], c["message"][:120]) for c in report["checks"]]


def alive_with(mark):
    """Host pids (not zombies) whose command line holds `mark`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if mark.encode() not in fh.read():
                    continue
            with open(f"/proc/{entry}/stat") as fh:
                st = fh.read()
            if st[st.rindex(")") + 2] != "Z":
                found.append(int(entry))
        except (OSError, ValueError):
            pass
    return found


@pytest.fixture(scope="module")
def jailed(course):
    """Skip unless the grader really puts submissions in bubblewrap on this machine."""
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed: the jail cannot be tested here")
    rc, report, _out, err = grade(course, REFERENCE)
    assert rc == 0 and report is not None, err[-2000:]
    assert scores(report) == POINTS, why(report)
    if any(NO_SANDBOX_WORDS in n.lower() for n in report["notes"]):
        pytest.skip("bwrap is installed but the grader cannot start a jail here")
    return course


class Listener:
    """A TCP listener on the host's 127.0.0.1 that records every connection."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port, self.accepted, self.stop = self.sock.getsockname()[1], [], threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.accepted.append(conn.recv(100))
                conn.close()
            except OSError:  # TimeoutError included
                pass

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


# ================================================ 1. root inside the jail
@pytest.fixture(scope="module")
def probe(jailed, tmp_path_factory):
    """Grade the reference plus jail/probe_inside.py once; every test below reads its report."""
    mark = "p" + uuid.uuid4().hex[:10]
    listener = Listener()
    try:
        folder = submission(tmp_path_factory.mktemp("probe") / "sub", extra="probe_inside.py",
                            extra_name="zz_probe.py", MARK=mark, PORT=listener.port)
        rc, report, _out, err = grade(jailed, folder)
    finally:
        listener.close()
    assert rc == 0 and report is not None, err[-2000:]
    return {"report": report, "seen": evidence(report["output"], "JAIL-PROBE"),
            "accepted": listener.accepted, "mark": mark}


@pytest.fixture(scope="module")
def probe_bulk(jailed, tmp_path_factory):
    """The same probe as the first student of a grade-all worker (-j 1: the fork server's
    child), followed by a correct student on the same worker."""
    mark = "q" + uuid.uuid4().hex[:10]
    listener = Listener()
    tmp = tmp_path_factory.mktemp("probe-bulk")
    klass = tmp / "class"
    submission(klass / "a_probe", extra="probe_inside.py", extra_name="zz_probe.py",
               MARK=mark, PORT=listener.port)
    submission(klass / "b_next")
    try:
        rc, rows, reports, err = grade_all(jailed, klass, tmp / "gradebook.csv")
    finally:
        listener.close()
    assert rc == 0 and set(rows) == {"a_probe", "b_next"}, err[-2000:]
    return {"report": reports["a_probe"], "next": reports["b_next"], "mark": mark,
            "seen": evidence(reports["a_probe"]["output"], "JAIL-PROBE"),
            "accepted": listener.accepted}


@pytest.fixture(params=["grade", "grade-all"])
def inside(request):
    """The probe's evidence from a fresh `grade` child and from a grade-all fork server child."""
    return request.getfixturevalue("probe" if request.param == "grade" else "probe_bulk")


def test_probe_is_graded_normally(inside):
    assert scores(inside["report"]) == POINTS, why(inside["report"])


def test_student_after_the_probe_is_graded_normally(probe_bulk):
    assert scores(probe_bulk["next"]) == POINTS, why(probe_bulk["next"])


def test_jail_has_no_effective_capabilities(inside):
    assert inside["seen"]["cap_eff"] == 0, f"CapEff = {inside['seen']['cap_eff']:#x}"


def test_jail_uid_is_not_root(inside):
    assert 0 not in inside["seen"]["uid"], f"Uid: {inside['seen']['uid']}"


def test_jail_cannot_remount_read_only_binds_writable(inside):
    remount = inside["seen"]["remount"]
    assert {"usr", "python_install", "venv", "grader_copy"} <= set(remount), remount
    assert not any(remount.values()), f"remounted read-write: {remount}"


def test_jail_cannot_write_system_python_or_grader_copy(inside):
    seen = inside["seen"]
    try:
        assert {"usr", "python_install", "grader_copy"} <= set(seen["written"]), seen
        assert not any(seen["written"].values()), f"created files in: {seen['written']}"
        assert not any(seen["writable"].values()), f"writable: {seen['writable']}"
    finally:
        # the probe removes what it wrote; make sure nothing is left on the host either way
        for path in ("/usr", os.path.realpath(sys.base_prefix)):
            Path(path, f".jailprobe-{inside['mark']}").unlink(missing_ok=True)
    for path in ("/usr", os.path.realpath(sys.base_prefix), sys.prefix):
        assert not Path(path, f".jailprobe-{inside['mark']}").exists()


def test_jail_cannot_mount_the_machines_disk(inside):
    assert inside["seen"]["host_disk"] is None, \
        f"mounted the disk behind /usr and listed: {inside['seen']['host_disk']}"


def test_jail_cannot_ptrace_other_processes(inside):
    assert inside["seen"]["ptrace"] == [], \
        f"PTRACE_ATTACH succeeded on {inside['seen']['ptrace']} (visible: {inside['seen']['visible']})"


def test_jail_cannot_reach_a_host_listener(inside):
    assert inside["seen"]["tcp"] != "connected" and inside["accepted"] == [], inside["seen"]["tcp"]


def test_jail_cannot_read_other_processes_memory_or_environment(inside):
    seen = inside["seen"]
    assert seen["mem"] == [] and seen["environ"] == [], (
        f"read /proc/<pid>/mem of {seen['mem']}, environ of {seen['environ']} "
        f"(visible: {seen['visible']})")


def test_jail_runs_under_seccomp_with_no_new_privs(inside):
    assert inside["seen"]["seccomp"] == [2, 1], f"[Seccomp, NoNewPrivs] = {inside['seen']['seccomp']}"


def test_jail_cannot_make_a_user_namespace(inside):
    assert inside["seen"]["unshare"] != "done", "unshare(CLONE_NEWUSER) worked"


# ================================== 2. grade-all: ptrace of the fork server
ZYGOTE_CLASS = {"a_attacker", "b_victim", "c_attacker", "d_victim"}


@pytest.fixture(scope="module")
def zygote_attacks(jailed, tmp_path_factory):
    """One grade-all (-j 1: one fork server) read by three tests: a_attacker pokes the
    shared zygote's memory with ptrace, b_victim (the reference) comes next; c_attacker
    goes after the fork server through /proc and pidfds, d_victim comes next. The test that
    grades again copies the class and its gradebook."""
    tmp = tmp_path_factory.mktemp("zygote-attacks")
    klass = tmp / "class"
    submission(klass / "a_attacker", extra="attack_zygote_ptrace.py", extra_name="zz_attack.py")
    submission(klass / "b_victim")
    submission(klass / "c_attacker", extra="attack_grader_processes.py",
               extra_name="zz_attack.py", WAIT_S=0)
    submission(klass / "d_victim")
    rc, rows, reports, err = grade_all(jailed, klass, tmp / "gradebook.csv")
    return {"rc": rc, "rows": rows, "reports": reports, "err": err, "tmp": tmp}


def test_ptrace_of_fork_server_does_not_reach_the_next_student(zygote_attacks):
    """a_attacker pokes the shared zygote's memory; b_victim (the reference) comes next."""
    rc, rows, reports, err = (zygote_attacks[k] for k in ("rc", "rows", "reports", "err"))
    assert rc == 0 and set(rows) == ZYGOTE_CLASS, err[-2000:]
    attack = reports["a_attacker"]["output"]
    assert "ZYGOTE-INJECT" in attack, f"the attack did not run: {attack[-1000:]}"
    victim = reports["b_victim"]
    assert float(rows["b_victim"]["score"]) == FULL and scores(victim) == POINTS, (
        f"the next student lost points: {why(victim)}; the attacker printed: {attack[-300:]}")
    assert float(rows["a_attacker"]["score"]) == FULL, why(reports["a_attacker"])


def test_score_lost_to_another_student_is_not_cached(jailed, zygote_attacks, tmp_path):
    """As above, then grade-all again with b_victim alone, reusing the gradebook's cache
    (a copy of it: the cache is keyed by content, not by where the class lies)."""
    rc, rows, err = zygote_attacks["rc"], zygote_attacks["rows"], zygote_attacks["err"]
    assert rc == 0 and set(rows) == ZYGOTE_CLASS, err[-2000:]
    shutil.copytree(zygote_attacks["tmp"], tmp_path, dirs_exist_ok=True, symlinks=True)
    klass, out = tmp_path / "class", tmp_path / "gradebook.csv"
    assert out.with_suffix(".sqlite").is_file()   # the cache of the first run came along
    first = float(rows["b_victim"]["score"])
    for other in ZYGOTE_CLASS - {"b_victim"}:
        shutil.rmtree(klass / other)
    rc, rows, reports, err = grade_all(jailed, klass, out)
    assert rc == 0 and set(rows) == {"b_victim"}, err[-2000:]
    assert float(rows["b_victim"]["score"]) == FULL, (
        f"first run {first}, second run (alone, cache kept) {rows['b_victim']['score']}: "
        f"{why(reports['b_victim'])}")
    assert first != FULL or "(1 unchanged since the last run" in err, err[-2000:]


# ============================ 3. state between the students of one worker
LEFTOVERS_CLASS = {"a_leaver", "b_reader", "c_chmod", "d_victim"}


@pytest.fixture(scope="module")
def leftovers(jailed, tmp_path_factory):
    """a_leaver leaves files and a sleeper; b_reader reports what it finds (one worker);
    then c_chmod takes the permissions off its work dir and d_victim comes next (for
    test_chmod_of_work_dir_does_not_hurt_the_next_student, which copies the class)."""
    mark = "l" + uuid.uuid4().hex[:10]
    tmp = tmp_path_factory.mktemp("leftovers")
    klass = tmp / "class"
    submission(klass / "a_leaver", extra="leave_files_and_sleeper.py", extra_name="zz_leave.py",
               MARK=mark)
    submission(klass / "b_reader", extra="reader_leftovers.py", extra_name="zz_read.py",
               MARK=mark)
    submission(klass / "c_chmod", extra="chmod_workdir.py", extra_name="zz_chmod.py")
    submission(klass / "d_victim")
    try:
        rc, rows, reports, err = grade_all(jailed, klass, tmp / "gradebook.csv")
        still_alive = alive_with(mark)
    finally:
        for pid in alive_with(mark):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    assert rc == 0 and set(rows) == LEFTOVERS_CLASS, err[-2000:]
    return {"rows": rows, "reports": reports, "mark": mark, "alive_after": still_alive,
            "tmp": tmp,
            "left": evidence(reports["a_leaver"]["output"], "LEFT"),
            "found": evidence(reports["b_reader"]["output"], "LEFTOVERS")}


def test_shm_and_home_files_do_not_reach_the_next_student(leftovers):
    left, found = leftovers["left"], leftovers["found"]
    assert left["files"], "student A could not even write its own HOME or /tmp"
    assert found["files"] == [], f"student B saw student A's files {found['files']} (A made {left})"
    assert float(leftovers["rows"]["b_reader"]["score"]) == FULL


def test_sleeping_process_is_not_visible_to_the_next_student(leftovers):
    assert leftovers["left"]["sleeper"] == "started", leftovers["left"]
    assert leftovers["found"]["processes"] == [], \
        f"student B sees student A's sleeper: pids {leftovers['found']['processes']}"
    assert leftovers["alive_after"] == [], "A's sleeper outlived grade-all"


def test_sysv_shared_memory_does_not_reach_the_next_student(leftovers):
    assert leftovers["left"]["sysv"], "student A could not make a System V segment"
    assert leftovers["found"]["sysv"] is False, "student B found A's System V segment"


def test_environment_does_not_reach_the_next_student(leftovers):
    assert leftovers["found"]["env"] is None, f"B's environment: JAIL_LEFT={leftovers['found']['env']}"


def test_other_students_work_dirs_are_not_visible(leftovers):
    assert leftovers["found"]["others"] == [], f"B sees A's files: {leftovers['found']['others']}"


def test_chmod_of_work_dir_does_not_hurt_the_next_student(jailed, leftovers, tmp_path):
    rows, reports = leftovers["rows"], leftovers["reports"]
    assert evidence(reports["c_chmod"]["output"], "CHMOD"), "the chmod did not happen"
    assert float(rows["d_victim"]["score"]) == FULL, why(reports["d_victim"])
    # run again without the attacker (on a copy of the class and its gradebook, d_victim
    # alone): d_victim comes from the cache; it must not be a zero
    shutil.copytree(leftovers["tmp"], tmp_path, dirs_exist_ok=True, symlinks=True)
    klass, out = tmp_path / "class", tmp_path / "gradebook.csv"
    assert out.with_suffix(".sqlite").is_file()
    for other in LEFTOVERS_CLASS - {"d_victim"}:
        shutil.rmtree(klass / other)
    rc, rows, reports, err = grade_all(jailed, klass, out)
    assert rc == 0 and set(rows) == {"d_victim"}, err[-2000:]
    assert float(rows["d_victim"]["score"]) == FULL, why(reports["d_victim"])
    assert "(1 unchanged since the last run" in err, err[-2000:]


def test_python_install_below_tmp_stays_visible_to_each_submission(jailed, tmp_path):
    """Each grade-all submission gets a fresh /tmp; a virtualenv that lives below /tmp (here:
    a symlink to this one, under pytest's tmp dir) must be bound back, or the fork server
    could not isolate anyone and every submission would pay a fresh interpreter."""
    if not str(tmp_path).startswith("/tmp/"):
        pytest.skip("pytest's tmp dir is not below /tmp here")
    venv = tmp_path / "venv"
    venv.symlink_to(os.path.realpath(sys.prefix))
    klass = tmp_path / "class"
    submission(klass / "a")
    submission(klass / "b")
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "grader", "--course", jailed,
                           "grade-all", klass, "-a", A, "--out", tmp_path / "gb.csv", "-j", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "fork server unavailable" not in proc.stderr, proc.stderr[-2000:]
    with open(tmp_path / "gb.csv", newline="", encoding="utf-8") as fh:
        assert {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)} == \
            {"a": FULL, "b": FULL}


# ========================================================= 4. no bubblewrap
@pytest.fixture
def no_bwrap_env(tmp_path):
    """The environment of a machine without bubblewrap: a PATH on which there is no bwrap."""
    empty = tmp_path / "bin-without-bwrap"
    empty.mkdir()
    scratch = tmp_path / "tmpdir"   # the grader's temporary dirs, should it be killed
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(PATH=str(empty), TMPDIR=str(scratch))
    return env


def refused(rc, report, err):
    """The grader declined to run student code without a sandbox (a sound answer too)."""
    return rc == 1 and report is None and "sandbox" in err.lower()


def test_no_bwrap_submission_cannot_read_course_or_solutions(course, no_bwrap_env, tmp_path):
    folder = submission(tmp_path / "sub", base=WRONG, extra="nobwrap_find_secrets.py",
                        extra_name="zz_find.py")
    rc, report, _out, err = grade(course, folder, env=no_bwrap_env)
    if refused(rc, report, err):
        return
    assert rc == 0 and report is not None, f"exit {rc}: {err[-2000:]}"
    found = evidence(report["output"], "SECRETS-FOUND")
    assert found == [] and report["score"] == 0, \
        f"score {report['score']} after reading {found}"


def test_no_bwrap_submission_cannot_forge_the_results_file(course, no_bwrap_env, tmp_path):
    folder = submission(tmp_path / "sub", base=WRONG, extra="nobwrap_forge_results.py",
                        extra_name="zz_forge.py")
    results = tmp_path / "results" / "results.json"
    results.parent.mkdir()
    rc, report, out, err = grade(course, folder, env=no_bwrap_env, extra=["--out", results])
    written = json.loads(results.read_text(encoding="utf-8")) if results.exists() else None
    if refused(rc, report, err):
        assert written is None or written["score"] == 0, written
        return
    assert rc == 0 and written is not None and written["score"] == 0, (
        f"grader exit status {rc}; {results.name} says "
        f"{written and written['score']}; stdout: {out[-300:]!r}")
    assert report is not None and report["score"] == 0


def test_no_bwrap_submission_cannot_forge_stdout(course, no_bwrap_env, tmp_path):
    folder = submission(tmp_path / "sub", base=WRONG, extra="nobwrap_forge_stdout.py",
                        extra_name="zz_forge.py")
    rc, report, out, err = grade(course, folder, env=no_bwrap_env)
    if refused(rc, report, err):
        return  # nothing ran, nothing to forge
    assert report is not None, f"stdout is not one JSON report (exit {rc}): {out[:500]}"
    assert rc == 0 and report["score"] == 0, (
        f"grader exit status {rc}; stdout parses to score {report['score']} "
        f"(output field: {report.get('output', '')[:200]!r})")
    assert len(report["checks"]) == len(POINTS)


# ========================================== 5. time limits on a busy machine
BUSY = 3   # busy processes beside the grader on its one CPU: it gets a quarter of that CPU
SPIN = "import time\nend = time.monotonic() + 60\nwhile time.monotonic() < end:\n    pass\n"


def child_of(pid, marker="import grader.child."):
    """True once a descendant of `pid` runs a command line holding `marker` (default: a
    grading child, fresh (grader.child.main) or a fork server (grader.child.forkserver),
    whose forks keep its command line)."""
    parents, marked = {}, set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if marker.encode() in fh.read():
                    marked.add(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    for p in marked:
        seen = set()
        while p in parents and p not in seen:
            seen.add(p)
            p = parents[p]
            if p == pid:
                return True
    return False


def test_time_limit_does_not_depend_on_machine_load(tmp_path):
    """slow_correct.py needs ~0.4 s of CPU for its largest check; the limit is 1 s. Both
    runs pin the grader (and all it starts) to one CPU; in the loaded one BUSY busy
    processes share that CPU from the moment the grader starts its first child: ~1.6 s of
    wall time for 0.4 s of CPU, so a wall-clock limit would time out. The machine's other
    CPUs are left to other work, and the grader's own start-up is not slowed."""
    tight = write_course(tmp_path / "tight", time_limit_s=1.0)
    folder = tmp_path / "slow"
    folder.mkdir()
    shutil.copyfile(JAIL / "slow_correct.py", folder / "decaying_cosine.py")
    cpu = min(os.sched_getaffinity(0))

    def one_cpu():
        os.sched_setaffinity(0, {cpu})

    def run(busy_count):
        """grade the folder on one CPU; (returncode, report or None, stderr)."""
        cmd = [sys.executable, "-m", "grader", "--course", str(tight), "grade", str(folder),
               "-a", A, "--format", "json"]
        out, err = tmp_path / f"out{busy_count}", tmp_path / f"err{busy_count}"
        busy = []
        with open(out, "w") as fo, open(err, "w") as fe:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=fo,
                                    stderr=fe, start_new_session=True, preexec_fn=one_cpu)
        try:
            deadline = time.monotonic() + 120
            while busy_count and proc.poll() is None and time.monotonic() < deadline:
                if child_of(proc.pid):
                    busy = [subprocess.Popen([sys.executable, "-c", SPIN],
                                             start_new_session=True, preexec_fn=one_cpu,
                                             stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL)
                            for _ in range(busy_count)]
                    break
                time.sleep(0.01)
            assert not busy_count or busy, "the grader never started a child"
            proc.wait(timeout=max(deadline - time.monotonic(), 1))
        finally:
            for p in busy + [proc]:
                _killpg(p.pid)
                p.wait()
        try:
            report = json.loads(out.read_text())
        except ValueError:
            report = None
        return proc.returncode, report, err.read_text()

    rc, quiet, err = run(0)
    assert rc == 0 and quiet is not None, err[-2000:]
    if scores(quiet) != POINTS:
        pytest.skip(f"no quiet baseline: the machine is too busy right now ({why(quiet)})")
    rc, loaded, err = run(BUSY)
    assert rc == 0 and loaded is not None, err[-2000:]
    assert scores(loaded) == scores(quiet), (
        f"quiet: {quiet['score']}, with {BUSY} busy processes on its CPU: "
        f"{loaded['score']} {why(loaded)}")


# ============================================================== 6. the parent
def _reason(rows, reports, student):
    notes = rows[student].get("note", "") + " ".join(reports.get(student, {}).get("notes", []))
    return notes.strip()


PARENT_CLASS = {"alice", "bob", "carol", "dave", "erin", "frank", "zed"}


@pytest.fixture(scope="module")
def parent_class(course, tmp_path_factory):
    """One grade-all of a class that goes after the parent, read by the three tests below:
    frank.py is a symlink to a 1 TB sparse file outside the class folder; bob.py ->
    /dev/zero, carol.py is a FIFO, dave/decaying_cosine.py -> /dev/zero, erin is correct
    but her timestamp.txt is a FIFO; alice is correct with a spreadsheet formula in her
    timestamp.txt, zed correct with an ordinary one. The grader may take at most 8 GB."""
    tmp = tmp_path_factory.mktemp("parent-class")
    huge = tmp / "huge.bin"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 40)   # sparse: costs no disk
    klass = tmp / "class"
    submission(klass / "alice")
    (klass / "alice" / "timestamp.txt").write_text('=HYPERLINK("http://x","y")\n',
                                                   encoding="utf-8")
    os.symlink("/dev/zero", klass / "bob.py")
    os.mkfifo(klass / "carol.py")
    (klass / "dave").mkdir()
    os.symlink("/dev/zero", klass / "dave" / "decaying_cosine.py")
    submission(klass / "erin")
    os.mkfifo(klass / "erin" / "timestamp.txt")
    os.symlink(huge, klass / "frank.py")
    submission(klass / "zed")
    (klass / "zed" / "timestamp.txt").write_text("2026-01-05 10:00:00\n", encoding="utf-8")

    def cap_memory():   # whatever the grader tries, it cannot take more than 8 GB here
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
    try:
        rc, rows, reports, err = grade_all(course, klass, tmp / "gradebook.csv", timeout=180,
                                           preexec_fn=cap_memory)
    finally:
        huge.unlink()
    return rc, rows, reports, err


def test_symlink_to_a_huge_file_does_not_stop_grade_all(parent_class):
    """frank.py is a symlink to a 1 TB sparse file outside the class folder."""
    rc, rows, reports, err = parent_class
    assert rc == 0, f"grade-all stopped for everyone (exit {rc}): {err[-1500:]!r}"
    assert set(rows) == PARENT_CLASS, set(rows)
    assert float(rows["alice"]["score"]) == FULL and float(rows["zed"]["score"]) == FULL
    assert float(rows["frank"]["score"]) == 0 and _reason(rows, reports, "frank")


def test_special_files_in_class_folder_get_zero_rows(parent_class):
    """bob.py -> /dev/zero, carol.py is a FIFO, dave/decaying_cosine.py -> /dev/zero,
    erin is correct but her timestamp.txt is a FIFO."""
    rc, rows, reports, err = parent_class
    assert rc is not None, "grade-all did not finish within 180 s"
    assert rc == 0, f"grade-all stopped (exit {rc}): {err[-1500:]}"
    assert set(rows) == PARENT_CLASS, f"rows for {sorted(rows)} only"
    assert float(rows["alice"]["score"]) == FULL and float(rows["erin"]["score"]) == FULL
    for bad in ("bob", "carol", "dave"):
        assert float(rows[bad]["score"]) == 0, (bad, rows[bad])
        assert _reason(rows, reports, bad), f"{bad}: a zero without a reason: {rows[bad]}"


def test_returned_16_mb_does_not_balloon_the_parent(course, tmp_path):
    """Peak RSS of the grading process itself (VmHWM; children are other processes)."""
    folder = tmp_path / "flood"
    folder.mkdir()
    shutil.copyfile(JAIL / "return_16mb.py", folder / "decaying_cosine.py")

    def peak_kb(path):
        proc = subprocess.Popen([sys.executable, "-m", "grader", "--course", str(course),
                                 "grade", str(path), "-a", A, "--format", "json"], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        out, hwm = [], 0
        reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
        reader.start()
        deadline = time.monotonic() + 180
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    with open(f"/proc/{proc.pid}/status") as fh:
                        for line in fh:
                            if line.startswith("VmHWM:"):
                                hwm = max(hwm, int(line.split()[1]))
                except OSError:
                    pass
                time.sleep(0.005)
        finally:
            _killpg(proc.pid)
            proc.wait()
        reader.join(5)
        return hwm, json.loads(out[0])

    base_kb, base = peak_kb(REFERENCE)
    flood_kb, flood = peak_kb(folder)
    assert scores(base) == POINTS
    # The first call in each process returns the 16 MB: values in the public child, and
    # the hidden check, which runs in a child of its own (judge/grade.py).
    assert scores(flood) == dict(POINTS, values=0.0, gradient_hidden=0.0), why(flood)
    grown_mb = (flood_kb - base_kb) / 1024
    assert grown_mb < 32, f"the parent's peak RSS grew by {grown_mb:.0f} MB for 16 MB returned"


def test_timestamp_formula_is_neutralised_in_the_gradebook(parent_class):
    rc, rows, _reports, err = parent_class
    assert rc == 0 and set(rows) == PARENT_CLASS, err[-2000:]
    cell = rows["alice"]["timestamp"]
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), f"formula in the CSV: {cell!r}"
    assert float(rows["alice"]["score"]) == FULL
    # nbgrader's timestamp format since issue 10: "2026-01-05 10:00:00.000000"
    assert rows["zed"]["timestamp"].startswith("2026-01-05 10:00:00")


# ============ 7. the fork server and its other processes, out of a submission's reach
PROCESS_ATTACKS = ("mem", "environ", "fd", "mountinfo", "signal", "pidfd_open",
                   "pidfd_signal", "pidfd_getfd", "vm_readv", "kcmp", "ptrace", "injected")


def test_fork_server_is_out_of_reach_through_proc_and_pidfds(zygote_attacks):
    """The attacks of tests/e2e/test_uid_mode.py in bubblewrap: c_attacker goes after the
    fork server (and its waiter, the jail's pid 1) through /proc/<pid>/{mem,environ,fd,
    mountinfo}, pidfds of /proc/<pid> directories, and pokes its memory; d_victim, forked
    next, keeps full marks."""
    rc, rows, reports, err = (zygote_attacks[k] for k in ("rc", "rows", "reports", "err"))
    assert rc == 0 and set(rows) == ZYGOTE_CLASS, err[-2000:]
    seen = evidence(reports["c_attacker"]["output"], "PROCESS-ATTACK")
    assert seen["fork_servers"], f"the attack found no fork server: {seen}"
    assert {k: seen[k] for k in PROCESS_ATTACKS if seen[k]} == {}, seen
    assert scores(reports["d_victim"]) == POINTS, why(reports["d_victim"])
    assert scores(reports["c_attacker"]) == POINTS, why(reports["c_attacker"])
