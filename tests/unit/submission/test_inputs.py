"""Class-folder entries are judged by lstat before the parent opens anything."""
import os
import threading
from pathlib import Path

from grader.bulk.gradeall import content_digest, find_submissions
from grader.bulk.late import submitted_at
from grader.submission.inputs import entry_problem, read_small_text, regular_files


def _class_folder(tmp_path):
    klass = tmp_path / "class"
    (klass / "alice").mkdir(parents=True)
    (klass / "alice" / "trid.py").write_text("x = 1\n")
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 40)   # sparse: 1 TB that costs no disk
    os.symlink(huge, klass / "frank.py")
    os.symlink("/dev/zero", klass / "bob.py")
    os.mkfifo(klass / "carol.py")
    os.symlink(tmp_path, klass / "mallory")   # a folder outside the class
    (klass / "notes.txt").write_text("")
    return klass


def test_links_out_fifos_and_devices_are_students_with_a_reason(tmp_path):
    klass = _class_folder(tmp_path)
    items = {i.student: i for i in find_submissions(klass, "hw1_autograd")}
    assert set(items) == {"alice", "bob", "carol", "frank", "mallory"}
    assert items["alice"].problem == ""
    assert "outside the class folder" in items["frank"].problem
    assert "outside the class folder" in items["bob"].problem
    assert "not a regular file" in items["carol"].problem
    assert "outside the class folder" in items["mallory"].problem


def test_entry_problem_follows_links_only_inside_the_folder(tmp_path):
    (tmp_path / "real.py").write_text("x = 1\n")
    os.symlink(tmp_path / "real.py", tmp_path / "link.py")
    os.symlink("/dev/null", tmp_path / "dev.py")
    assert entry_problem(tmp_path / "link.py", tmp_path) is None
    assert "outside" in entry_problem(tmp_path / "dev.py", tmp_path)
    os.symlink("real.py", tmp_path / "nested_dev.py")
    os.unlink(tmp_path / "real.py")
    os.mkfifo(tmp_path / "real.py")   # a link inside the folder, to a FIFO
    assert "not a regular file" in entry_problem(tmp_path / "nested_dev.py", tmp_path)


def test_reading_a_fifo_or_huge_timestamp_never_blocks(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    os.mkfifo(tmp_path / "timestamp.txt")
    done = []
    worker = threading.Thread(target=lambda: done.append(submitted_at(tmp_path)), daemon=True)
    worker.start()
    worker.join(5)
    assert len(done) == 1 and done[0] is not None   # the files' mtime instead
    assert read_small_text("/dev/zero") == ""
    os.unlink(tmp_path / "timestamp.txt")
    huge = tmp_path.parent / "huge-stamp"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 40)
    os.symlink(huge, tmp_path / "timestamp.txt")
    assert read_small_text(tmp_path / "timestamp.txt") == ""   # a link: not opened
    huge.unlink()


def test_digest_reads_only_small_regular_files(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    os.mkfifo(tmp_path / "pipe.py")
    os.symlink("/dev/zero", tmp_path / "zero.py")
    assert regular_files(tmp_path) == [tmp_path / "a.py"]
    first = content_digest(tmp_path)
    (tmp_path / "a.py").write_text("x = 2\n")
    assert content_digest(tmp_path) != first


def _folder_with_hidden_parts(tmp_path):
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / ".git" / "helper.py").write_text("def f():\n    return 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "trid.cpython-311.pyc").write_bytes(b"\0" * 16)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("1,2\n")
    (tmp_path / "trid.py").write_text("from helper import f\n")
    os.symlink(".git/helper.py", tmp_path / "linreg_bias.py")   # a link into a skipped folder
    return tmp_path


def test_the_childs_copy_holds_exactly_what_the_digest_covers(tmp_path):
    from grader.config import Limits
    from grader.execution.sandbox import copy_submission
    src = _folder_with_hidden_parts(tmp_path / "src")
    dst = tmp_path / "dst"
    dst.mkdir()
    copy_submission(src, dst, Limits())
    copied = sorted(p.relative_to(dst) for p in dst.rglob("*") if p.is_file())
    assert copied == [p.relative_to(src) for p in regular_files(src)]
    assert copied == [Path("data/x.csv"), Path("trid.py")]
    before = content_digest(src)
    (src / ".git" / "helper.py").write_text("def f():\n    return 2\n")
    assert content_digest(src) == before   # not covered, and not in the child's copy either


def test_links_inside_a_submission_are_not_read(tmp_path):
    from grader.submission.locate import load_submission
    src = _folder_with_hidden_parts(tmp_path)
    sub = load_submission(src)
    assert sub.files == ["trid.py"]
    assert any("linreg_bias.py: a symbolic link" in n for n in sub.notes), sub.notes
    (tmp_path / "inner").mkdir()
    os.symlink("inner", tmp_path / "hw1_autograd")   # a link where the work would be
    (tmp_path / "inner" / "trid.py").write_text("x = 1\n")
    assert load_submission(tmp_path, assignment="hw1_autograd").files == ["trid.py"]
    assert load_submission(tmp_path, assignment="hw1_autograd").path == str(tmp_path)


def test_a_student_entry_that_is_a_link_inside_the_class_folder_is_still_graded(tmp_path):
    from grader.submission.locate import load_submission
    store = tmp_path / ".store" / "alice" / "hw1_autograd"
    store.mkdir(parents=True)
    (store / "trid.py").write_text("x = 1\n")
    os.symlink(tmp_path / ".store" / "alice", tmp_path / "alice")   # the entry itself
    sub = load_submission(tmp_path / "alice", assignment="hw1_autograd")
    assert sub.files == ["trid.py"] and sub.path == str(tmp_path / "alice" / "hw1_autograd")
