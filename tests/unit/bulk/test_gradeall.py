"""grade-all: layouts, zero rows instead of lost grades, the cache, the zygote's fresh processes."""
import shutil
import time

import pytest
from click.testing import CliRunner

from grader.bulk import gradeall
from grader.cli import cli
from grader.config import load_course
from grader.bulk.gradeall import Item, Progress, find_submissions, grade_all, grade_one, summary
from grader.judge.grade import grade
from grader.submission.locate import load_submission
from grader.execution.forkserver import ZygotePool

from tests.conftest import course_variant


@pytest.fixture(scope="module")
def fast_course(tmp_path_factory):
    """course.yml with only decaying_cosine (1 s limit): quick classes to grade."""
    return load_course(course_variant(tmp_path_factory.mktemp("course"),
                                      exercises=["decaying_cosine"], time_limit_s=1))


@pytest.fixture(scope="module")
def pool(fast_course):
    p = ZygotePool(fast_course)
    yield p
    p.close()


def reference(root):
    return (root / "solutions" / "hw1_autograd" / "decaying_cosine.py").read_text()


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_find_submissions_in_the_three_layouts(tmp_path):
    nb = tmp_path / "course"
    write(nb / "submitted" / "amy" / "hw1_autograd" / "hw1_autograd.ipynb", "{}")
    write(nb / "submitted" / "amy" / "hw1_autograd" / "timestamp.txt", "2026-01-01 09:00:00")
    write(nb / "submitted" / "ben" / "hw1_autograd" / "trid.py", "x = 1")
    (nb / "submitted" / "cat" / "hw1_autograd").mkdir(parents=True)  # nothing gradable
    items = {i.student: i for i in find_submissions(nb, "hw1_autograd")}
    assert set(items) == {"amy", "ben", "cat"}
    assert items["amy"].path.name == "hw1_autograd" and items["ben"].path.is_dir()
    assert items["amy"].timestamp == "2026-01-01 09:00:00.000000"  # nbgrader's format
    assert items["ben"].timestamp[:4].isdigit()  # no timestamp.txt: the files' mtime

    flat = tmp_path / "flat"
    for name in ("dan.py", "eve.ipynb", "fay.zip"):
        write(flat / name, "x")
    write(flat / "gus" / "trid.py", "x = 1")
    assert [i.student for i in find_submissions(flat, "hw1_autograd")] == [
        "dan", "eve", "fay", "gus"]


def test_zygote_gives_every_submission_a_fresh_process(tmp_path, fast_course, pool):
    leaker = write(tmp_path / "a.py", "import numpy\nnumpy._leak = 1\n"
                   "def decaying_cosine(x):\n    return 7.0\n")
    probe = write(tmp_path / "b.py", "import numpy, os\n"
                  "def decaying_cosine(x):\n"
                  "    return 2.0 if not hasattr(numpy, '_leak') else 1.0\n")
    factory = pool.session_factory("hw1_autograd")
    grade(load_submission(leaker), fast_course, "hw1_autograd", session_factory=factory)
    rep = grade(load_submission(probe), fast_course, "hw1_autograd", session_factory=factory)
    values = next(c for c in rep.checks if c.name == "values")
    assert "got 2" in values.message, values.message


@pytest.mark.slow
def test_zygote_children_time_out_die_and_are_replaced(tmp_path, fast_course, pool, root):
    factory = pool.session_factory("hw1_autograd")
    loop = write(tmp_path / "loop.py", "def decaying_cosine(x):\n    while True: pass\n")
    started = time.monotonic()
    rep = grade(load_submission(loop), fast_course, "hw1_autograd", session_factory=factory)
    assert time.monotonic() - started < 20
    assert {c.status for c in rep.checks if c.name in ("values", "autograd_traceable")} == {
        "timeout"}
    dies = write(tmp_path / "dies.py", "import os\nos._exit(4)\n")
    rep = grade(load_submission(dies), fast_course, "hw1_autograd", session_factory=factory)
    assert all(c.score == 0 for c in rep.checks) and "exited with code 4" in rep.checks[0].message
    good = write(tmp_path / "good.py", reference(root))
    rep = grade(load_submission(good), fast_course, "hw1_autograd", session_factory=factory)
    assert rep.score == rep.max_score


def make_class(folder, root):
    write(folder / "ann.py", reference(root))
    write(folder / "bob.py", "def decaying_cosine(x):\n    raise NotImplementedError\n")
    write(folder / "cid.py", "import ctypes\nctypes.string_at(0)\n")       # segfaults
    (folder / "dee.py").write_bytes(b"\xff\xfe not utf-8 \x00")            # unreadable
    return find_submissions(folder, "hw1_autograd")


@pytest.mark.slow
def test_grade_all_records_everyone_and_the_cache_skips_unchanged(tmp_path, fast_course, root):
    items = make_class(tmp_path / "class", root)
    cache = tmp_path / "gradebook.sqlite"
    seen = []
    first = grade_all(items, fast_course, "hw1_autograd", workers=2, cache_path=cache,
                      progress=seen.append)
    by = {g.item.student: g for g in first}
    assert len(seen) == 4 and set(by) == {"ann", "bob", "cid", "dee"}
    assert by["ann"].report.score == by["ann"].report.max_score == 5
    assert by["bob"].report.score == 0
    assert by["cid"].report.score == 0 and "SIGSEGV" in by["cid"].report.checks[0].message
    assert by["dee"].crashed and by["dee"].report.score == 0
    assert len(by["dee"].report.checks) == len(fast_course.checks_for("hw1_autograd"))
    assert by["ann"].plots == []  # decaying_cosine has no plots

    write(tmp_path / "class" / "bob.py", reference(root))
    second = {g.item.student: g for g in grade_all(items, fast_course, "hw1_autograd",
                                                   workers=2, cache_path=cache)}
    assert second["ann"].cached and second["cid"].cached
    assert not second["bob"].cached and second["bob"].report.score == 5
    assert not second["dee"].cached  # what could not be graded is retried


def test_a_grader_failure_is_a_recorded_zero(tmp_path, fast_course):
    def broken_factory(request):
        raise RuntimeError("boom")
    item = Item("zed", write(tmp_path / "zed.py", "x = 1\n"))
    g = grade_one(item, fast_course, "hw1_autograd", broken_factory)
    assert g.crashed and g.report.score == 0 and "boom" in g.report.notes[0]
    assert len(g.report.checks) == len(fast_course.checks_for("hw1_autograd"))


def test_progress_lines_and_summary(fast_course, capsys):
    import io
    stream = io.StringIO()
    rep = __import__('grader.judge.grade').judge.grade.zero_report(fast_course, "hw1_autograd", "x")
    progress = Progress(3, stream=stream, tty=False)
    for s in "abc":
        progress(gradeall.Graded(Item(s, None), rep))
    lines = stream.getvalue().splitlines()
    assert lines[-1].startswith("graded 3/3 (100%)") and "ETA" in lines[-1]
    text = summary([gradeall.Graded(Item("a", None), rep)])
    assert "distribution" in text and "decaying_cosine.values" in text


@pytest.mark.slow
def test_grade_all_cli_writes_gradebook_and_feedback(tmp_path, fast_course, root):
    make_class(tmp_path / "class", root)
    out = tmp_path / "out" / "gradebook.csv"
    out.parent.mkdir()
    res = CliRunner().invoke(cli, ["--course", str(fast_course.path), "grade-all",
                                   str(tmp_path / "class"), "-a", "hw1_autograd", "-j", "2",
                                   "--out", str(out), "--feedback", str(tmp_path / "fb")],
                             obj={})
    assert res.exit_code == 0, res.output
    rows = out.read_text().splitlines()
    assert rows[0].startswith("assignment,duedate,timestamp,student_id") and len(rows) == 5
    assert (tmp_path / "fb" / "ann.html").is_file() and (tmp_path / "fb" / "dee.md").is_file()
    from grader.bulk.store import integrity_ok
    assert integrity_ok(out.parent / "gradebook.sqlite")
    shutil.rmtree(tmp_path / "fb")


def test_without_a_fork_server_fresh_children_still_grade(tmp_path, fast_course, root,
                                                          monkeypatch):
    from grader.execution import forkserver as zygote
    from grader.execution.session import ChildFault

    def cannot_start(self):
        raise ChildFault("error", "simulated: preloads do not fit")
    monkeypatch.setattr(zygote.Zygote, "start", cannot_start)
    pool = ZygotePool(fast_course)
    try:
        good = write(tmp_path / "good.py", reference(root))
        g = grade_one(Item("x", good), fast_course, "hw1_autograd",
                      pool.session_factory("hw1_autograd"))
    finally:
        pool.close()
    assert not g.crashed and g.report.score == g.report.max_score


@pytest.mark.slow
def test_a_fork_server_dying_mid_grading_is_not_cached_as_the_students_zero(
        tmp_path, fast_course, root):
    pool = ZygotePool(fast_course)
    try:
        factory = pool.session_factory("hw1_autograd")
        zygote = pool.zygote("hw1_autograd")
        # Asleep in its check when the fork server is killed (0.3 s); 3 s, not longer: the
        # regrade in a fresh child sleeps it again, up to the wall-clock backstop (35 s).
        killer = write(tmp_path / "k.py", "def decaying_cosine(x):\n"
                       "    import time; time.sleep(3)\n")
        import threading
        threading.Timer(0.3, lambda: zygote.proc.kill()).start()  # our failure, mid-check
        # The values check only: the others call the sleeper again, 3 s each, in fresh children.
        g = grade_one(Item("k", killer, only=frozenset({("decaying_cosine", "values")})),
                      fast_course, "hw1_autograd", factory)
    finally:
        pool.close()
    assert g.crashed and "regraded" in " ".join(g.report.notes)


def test_files_one_submission_leaves_are_gone_for_the_next(tmp_path, fast_course, pool):
    plant = write(tmp_path / "plant.py", "import os, tempfile\n"
                  "open(os.path.join(tempfile.gettempdir(), 'planted'), 'w').write('x')\n"
                  "open(os.path.join(os.environ['HOME'], 'planted2'), 'w').write('x')\n"
                  "def decaying_cosine(x):\n    return 5.0\n")
    look = write(tmp_path / "look.py", "import os, tempfile\n"
                 "def decaying_cosine(x):\n"
                 "    a = os.path.exists(os.path.join(tempfile.gettempdir(), 'planted'))\n"
                 "    b = os.path.exists(os.path.join(os.environ['HOME'], 'planted2'))\n"
                 "    return 100.0 + 10 * a + b\n")
    factory = pool.session_factory("hw1_autograd")
    if pool.mode != "bwrap":
        pytest.skip("only a bubblewrap jail has a /tmp of its own to wipe")
    grade(load_submission(plant), fast_course, "hw1_autograd", session_factory=factory)
    rep = grade(load_submission(look), fast_course, "hw1_autograd", session_factory=factory)
    values = next(c for c in rep.checks if c.name == "values")
    assert "got 100 " in values.message, values.message


# ------------------------------------------------ the cache key covers what the child reads
HIDDEN_IMPORT = ("import os, sys\n"
                 "sys.path.insert(0, os.path.join(os.getcwd(), '.git'))\n"
                 "from helper import decaying_cosine\n")


def _hidden_import_class(folder, root, helper):
    """alice's graded file imports her function from .git/, a folder the loader skips."""
    write(folder / "alice" / "decaying_cosine.py", HIDDEN_IMPORT)
    write(folder / "alice" / ".git" / "helper.py", helper)
    return find_submissions(folder, "hw1_autograd")


@pytest.mark.slow
def test_the_cache_never_keeps_a_score_from_code_outside_its_key(tmp_path, fast_course, root):
    """Issue 18 class 4, in the fork-server path grade-all uses: code in .git/ changed
    after a graded run; the cached score must be what a fresh grade gives."""
    items = _hidden_import_class(tmp_path / "class", root, reference(root))
    cache = tmp_path / "gradebook.sqlite"
    first = grade_all(items, fast_course, "hw1_autograd", workers=1, cache_path=cache)[0]
    write(tmp_path / "class" / "alice" / ".git" / "helper.py",
          "def decaying_cosine(x):\n    return 0.0\n")
    again = grade_all(items, fast_course, "hw1_autograd", workers=1, cache_path=cache)[0]
    fresh = grade_all(items, fast_course, "hw1_autograd", workers=1)[0]
    assert again.report.score == fresh.report.score
    assert first.report.score == 0   # .git/ is not in the child's copy: the import fails


@pytest.mark.slow
def test_a_fresh_child_gets_no_skipped_folder_either(tmp_path, fast_course, root):
    """The same attack through `grader grade`'s route (a fresh child, its own jail)."""
    _hidden_import_class(tmp_path / "class", root, reference(root))
    sub = load_submission(tmp_path / "class" / "alice", assignment="hw1_autograd")
    rep = grade(sub, fast_course, "hw1_autograd")
    assert rep.score == 0, [c.message for c in rep.checks]
