"""The adversarial corpus (tests/adversarial/): cheats gain nothing, faults cost only
what they touch, nothing survives a grading, bad input gets a recorded zero.

Graded with a course.yml derived from the real one (hw1_autograd only, the
decaying_cosine exercise, a 4 s time limit) to keep this file fast; the faults that loop
forever run under a 1 s limit (`quick_course`): a timeout costs the whole limit, and the
reference's checks need milliseconds of it.
"""
import json
import os
import shutil
import socket
import threading
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from grader.judge.grade import grade_path
from grader.config import load_course
from grader.execution.session import session_factory
from grader.execution.cputime import Budget

from tests.conftest import ATTACK_LIMITS, ROOT, course_variant

CORPUS = ROOT / "tests" / "adversarial"
REFERENCE = ROOT / "solutions" / "hw1_autograd" / "decaying_cosine.py"
A, EX = "hw1_autograd", "decaying_cosine"
POINTS = {"values": 1, "gradient": 2, "autograd_traceable": 1, "gradient_hidden": 1}
USES_GRAD = {"gradient", "gradient_hidden"}


def write_course(folder, time_limit_s):
    """hw1_autograd only, every exercise under `time_limit_s` CPU seconds: a Course."""
    return load_course(course_variant(folder, time_limit_s=time_limit_s, alone=True,
                                      limits=ATTACK_LIMITS, assignment=A))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_course(tmp_path_factory.mktemp("course"), 4)


QUICK_LIMIT_S = 1


@pytest.fixture(scope="module")
def quick_course(tmp_path_factory, course):
    """As `course` with a 1 s limit (the same spec.limits, so `factory` serves it too)."""
    quick = write_course(tmp_path_factory.mktemp("quick-course"), QUICK_LIMIT_S)
    assert quick.spec.limits == course.spec.limits
    return quick


@pytest.fixture(scope="module")
def factory(course):
    return session_factory(course.spec.limits)


@pytest.fixture(scope="module")
def jailed(factory):
    if factory.mode != "bwrap":
        pytest.skip("needs the bubblewrap sandbox (`make sandbox`); without it files and "
                    "the network are reachable, as the README says")
    return factory


def build(tmp_path, base, extra=None, **subs):
    """A submission folder: `base` as decaying_cosine.py, then `extra` as zz_extra.py."""
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copyfile(base, folder / "decaying_cosine.py")
    if extra:
        text = (CORPUS / extra).read_text(encoding="utf-8")
        for key, value in subs.items():
            text = text.replace("{" + key + "}", str(value))
        (folder / "zz_extra.py").write_text(text, encoding="utf-8")
    return folder


def grade(course, factory, path):
    return grade_path(course, path, A, factory, exercises=[EX])


def scores(report):
    return {c.name: c.score for c in report.checks}


def alive_named(mark):
    """Pids of live (not zombie) processes named `mark`; a killed orphan can stay a
    zombie until the machine's init reaps it, but it runs nothing any more."""
    names = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            comm, state = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2]
            if comm == mark[:15] and state != "Z":
                names.append(int(entry))
    return names


# ------------------------------------------------------------------ baselines
def test_reference_full_and_wrong_base_zero(course, factory, tmp_path):
    assert scores(grade(course, factory, REFERENCE)) == POINTS
    rep = grade(course, factory, CORPUS / "wrong_base.py")
    assert rep.score == 0 and len(rep.checks) == len(POINTS)


# --------------------------------------------------------------------- cheats
@pytest.mark.parametrize("cheat", [
    "cheat_patch_comparisons.py", "cheat_lying_objects.py", "cheat_fake_results.py",
    "cheat_exit_import_os.py", "cheat_exit_import_sys.py", "cheat_exit_in_function.py"])
def test_cheat_on_wrong_base_scores_zero(course, factory, tmp_path, cheat):
    mark = "cheat" + uuid.uuid4().hex[:8]
    rep = grade(course, factory, build(tmp_path, CORPUS / "wrong_base.py", cheat, MARK=mark))
    assert rep.score == 0, [(c.name, c.status, c.message) for c in rep.checks]
    assert len(rep.checks) == len(POINTS)
    if cheat == "cheat_fake_results.py":
        assert "36 passed" in rep.output   # it did print, and it did not matter
        assert not (tmp_path / "results.json").exists()
        assert not list(ROOT.glob("results.json")) and not list(ROOT.glob(mark + "*"))
        if factory.mode == "bwrap":
            assert not Path("/tmp", mark + ".json").exists()   # the child's /tmp is private
        else:
            Path("/tmp", mark + ".json").unlink(missing_ok=True)


def test_reading_solutions_finds_nothing(course, jailed, tmp_path):
    rep = grade(course, jailed, build(tmp_path, CORPUS / "wrong_base.py",
                                      "cheat_read_solutions.py"))
    assert "CHEAT-FOUND []" in rep.output, rep.output[-2000:]
    assert rep.score == 0


def test_network_is_unreachable(course, jailed, tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port, accepted = listener.getsockname()[1], []

    def accept():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not stop.is_set():
            try:
                accepted.append(listener.accept())
            except socket.timeout:
                pass
    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        rep = grade(course, jailed, build(tmp_path, CORPUS / "wrong_base.py",
                                          "cheat_network.py", PORT=port))
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert not accepted
    assert "CHEAT-NETWORK failed" in rep.output
    assert rep.score == 0


# --------------------------------------------------------------------- faults
@pytest.mark.parametrize("fault,status", [
    ("fault_infinite_loop.py", "timeout"), ("fault_ignore_sigterm.py", "timeout"),
    ("fault_memory_bomb.py", "error"), ("fault_exit_in_grad.py", "error")])
def test_fault_in_grad_costs_only_gradient_checks(quick_course, factory, tmp_path, fault,
                                                  status):
    started = time.monotonic()
    rep = grade(quick_course, factory, build(tmp_path, REFERENCE, fault))
    got = {c.name: (c.score, c.status) for c in rep.checks}
    for name, points in POINTS.items():
        if name in USES_GRAD:
            assert got[name] == (0, status), (name, got[name], rep.checks)
        else:
            assert got[name] == (points, "passed"), (name, got[name])
    # Limits count CPU seconds, so on a busy machine a timeout takes longer in wall time;
    # still no check may run past its wall-clock backstop.
    backstop = Budget.for_limit(QUICK_LIMIT_S, quick_course.spec.limits).wall_s
    assert all(c.duration < backstop + 5 for c in rep.checks), [c.duration for c in rep.checks]
    assert time.monotonic() - started < len(USES_GRAD) * (backstop + 5) + 30


def test_stdout_flood_is_truncated(course, factory, tmp_path):
    rep = grade(course, factory, build(tmp_path, REFERENCE, "fault_stdout_flood.py"))
    assert scores(rep) == POINTS
    assert len(rep.output) < 20 * 1024 and "more bytes of output dropped" in rep.output


def test_detached_child_is_gone_afterwards(course, factory, tmp_path):
    mark = "det" + uuid.uuid4().hex[:12]
    rep = grade(course, factory, build(tmp_path, REFERENCE, "fault_detached_child.py",
                                       MARK=mark))
    assert scores(rep) == POINTS
    assert not alive_named(mark)


def test_fork_bomb_is_contained(course, factory, tmp_path):
    jail = factory.sandbox.jail()
    binds = bool(jail.cgroup or jail.uid)
    jail.cleanup()
    if not binds:
        pytest.skip("no pids cgroup and no unprivileged uid here: a fork bomb would not be bounded")
    mark = "fb" + uuid.uuid4().hex[:13]
    rep = grade(course, factory, build(tmp_path, REFERENCE, "fault_fork_bomb.py", MARK=mark))
    assert scores(rep) == POINTS
    forked = int(rep.output.split("FORKED ")[1].split()[0])
    assert forked < course.spec.limits.max_processes
    assert not alive_named(mark)


def test_batch_continues_after_faults(quick_course, factory, tmp_path):
    for i, fault in enumerate(["cheat_exit_import_os.py", "fault_infinite_loop.py"]):
        (tmp_path / str(i)).mkdir()
        grade(quick_course, factory, build(tmp_path / str(i), REFERENCE, fault))
    assert scores(grade(quick_course, factory, REFERENCE)) == POINTS


# ------------------------------------------------------------------ bad input
def _zero(rep, words):
    assert rep.score == 0 and len(rep.checks) == len(POINTS)
    text = " ".join(rep.notes + [c.message for c in rep.checks]).lower()
    assert all(w.lower() in text for w in words), text
    return rep


def _notebook(cells):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": "code", "source": c, "metadata": {},
                                  "outputs": [], "execution_count": None} for c in cells]})


@pytest.mark.parametrize("name,content,words", [
    ("latin1.py", b"x = '\xe9t\xe9'\n", ["not UTF-8"]),
    ("empty.py", b"", ["empty"]),
    ("broken.ipynb", b'{"cells": [', ["notebook", "JSON"]),
    ("notes.txt", b"hello", ["cannot grade"]),
])
def test_bad_file_is_a_recorded_zero(course, factory, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    _zero(grade(course, factory, path), words)


def test_huge_notebook_is_refused_without_reading_it(course, factory, tmp_path):
    path = tmp_path / "big.ipynb"
    with open(path, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)   # sparse: 100 MB that costs nothing to make
    started = time.monotonic()
    _zero(grade(course, factory, path), ["MB"])
    assert time.monotonic() - started < 5


def test_notebook_submission_is_graded(course, factory, tmp_path):
    path = tmp_path / "hw.ipynb"
    path.write_text(_notebook([REFERENCE.read_text(encoding="utf-8")]), encoding="utf-8")
    assert scores(grade(course, factory, path)) == POINTS


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


def _link(name, target):
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o120777 << 16
    return info, target


@pytest.mark.parametrize("members,words", [
    ([("../decaying_cosine.py", "x = 1")], ["..", "refused"]),
    ([("/tmp/decaying_cosine.py", "x = 1")], ["absolute", "refused"]),
    ([_link("decaying_cosine.py", "/etc/passwd")], ["symbolic link", "refused"]),
    ([("decaying_cosine.py", "#" * (60 * 1024 * 1024))], ["zip bomb"]),
])
def test_bad_zip_is_refused_with_a_zero(course, factory, tmp_path, members, words):
    _zero(grade(course, factory, _zip(tmp_path / "hw.zip", members)), words)
    assert not (tmp_path.parent / "decaying_cosine.py").exists()


def test_corrupt_zip_is_refused(course, factory, tmp_path):
    path = tmp_path / "hw.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    _zero(grade(course, factory, path), ["zip"])


def test_good_zip_is_graded(course, factory, tmp_path):
    path = _zip(tmp_path / "hw.zip", [("hw1/decaying_cosine.py", REFERENCE.read_bytes())])
    assert scores(grade(course, factory, path)) == POINTS


def test_symlink_out_of_folder_is_not_followed(course, factory, tmp_path):
    folder = build(tmp_path, CORPUS / "wrong_base.py")
    os.symlink(REFERENCE, folder / "zz_reference.py")
    rep = grade(course, factory, folder)
    assert rep.score == 0
    assert any("symbolic link" in n for n in rep.notes)


def test_folder_without_code_and_wrong_assignment(course, factory, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "answers.docx").write_bytes(b"PK")
    _zero(grade(course, factory, empty), ["no .py files"])
    other = tmp_path / "hw2.py"
    other.write_text("def train_sgd(model, data):\n    return model\n", encoding="utf-8")
    _zero(grade(course, factory, other), ["another assignment"])
