"""Class-folder entries are judged by lstat before the parent opens anything."""
import os
import threading

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
