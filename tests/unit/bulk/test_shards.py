"""Shards for Dask: bytes on the wire, refusals, infrastructure rows, the runner contract."""
import io
import os
import tarfile

import pytest

from grader.bulk import gradeall, shards
from grader.bulk.cluster import CountOnce, shard_size
from grader.bulk.gradeall import Item, content_digest, grade_all
from grader.config import load_course
from grader.judge.grade import zero_report
from grader.status import INFRASTRUCTURE

from tests.conftest import course_variant

A = "hw1_autograd"


@pytest.fixture(scope="module")
def fast_course(tmp_path_factory):
    """course.yml with only decaying_cosine (2 s limit)."""
    return load_course(course_variant(tmp_path_factory.mktemp("course"),
                                      exercises=["decaying_cosine"], time_limit_s=2))


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(data, bytes) else path.write_text)(data)
    return path


def test_a_folder_travels_as_bytes_and_unpacks_to_the_same_content(tmp_path):
    src = tmp_path / "amy" / "hw1_autograd"
    write(src / "decaying_cosine.py", "x = 1\n")
    write(src / "data" / "w.bin", bytes(range(256)))
    write(src / "__pycache__" / "x.pyc", b"junk")              # not content: not sent
    os.symlink("/etc/hostname", src / "outside.py")             # kept a link, never followed
    name, blob = shards.pack(src)
    assert name == "hw1_autograd" and b"junk" not in blob
    assert shards.pack(src)[1] == blob                          # same content, same bytes
    got = shards.unpack(blob, shards.sha256(blob), tmp_path / "w")
    assert got == tmp_path / "w" / "hw1_autograd"
    assert (got / "data" / "w.bin").read_bytes() == bytes(range(256))
    assert os.readlink(got / "outside.py") == "/etc/hostname"
    assert not (got / "__pycache__").exists()
    os.unlink(src / "outside.py"), os.unlink(got / "outside.py")
    assert content_digest(got) == content_digest(src)


def test_a_single_file_travels_under_its_name(tmp_path):
    src = write(tmp_path / "bob.ipynb", '{"cells": []}')
    name, blob = shards.pack(src)
    got = shards.unpack(blob, shards.sha256(blob), tmp_path / "w")
    assert (name, got.name, got.read_text()) == ("bob.ipynb", "bob.ipynb", '{"cells": []}')
    assert content_digest(got) == content_digest(src)


def tar_of(*members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("blob, wrong_digest, needle", [
    (tar_of(("a.py", b"x")), True, "corrupted"),
    (tar_of(("../a.py", b"x")), False, "refused a member"),
    (tar_of(("/tmp/a.py", b"x")), False, "refused a member"),
    (tar_of(("a.py", b"x"), ("b.py", b"y")), False, "exactly one"),
    (b"not a tar at all" * 40, False, "could not be unpacked"),
])
def test_unpack_refuses_what_it_must_not_write(tmp_path, blob, wrong_digest, needle):
    digest = "0" * 64 if wrong_digest else shards.sha256(blob)
    with pytest.raises(shards.PackError, match=needle):
        shards.unpack(blob, digest, tmp_path)
    assert not (tmp_path.parent / "a.py").exists()


def payload_for(course, tmp_path, texts, version=None, require_sandbox=False):
    todo = [(i, Item(f"s{i}", write(tmp_path / f"s{i}.py", t)), "") for i, t in enumerate(texts)]
    payload, unpackable = shards.pack_shard("run1", version or gradeall.grader_version(course),
                                            course, A, require_sandbox, todo)
    assert unpackable == {}
    return payload


def test_a_worker_with_another_grader_refuses_without_grading(tmp_path, fast_course):
    payload = payload_for(fast_course, tmp_path, ["x = 1\n"], version="f" * 64)
    answer = shards.grade_shard(payload)
    assert "graded" not in answer
    assert "different grader" in answer["refused"] and "ffffffffffff" in answer["refused"]


def test_a_course_that_arrives_corrupted_is_refused(tmp_path, fast_course):
    payload = payload_for(fast_course, tmp_path, ["x = 1\n"])
    payload["course"]["yml"] += b"\n# edited on the way\n"
    assert "corrupted" in shards.grade_shard(payload)["refused"]


def test_a_worker_without_a_sandbox_refuses_official_grading(tmp_path, fast_course,
                                                            monkeypatch):
    from grader.execution import sandbox, session
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: False)
    monkeypatch.setattr(session, "_default_sandboxes", {})
    payload = payload_for(fast_course, tmp_path, ["x = 1\n"], require_sandbox=True)
    answer = shards.grade_shard(payload)
    assert "graded" not in answer and "sandbox is required" in answer["refused"]


@pytest.mark.slow
def test_a_shard_is_graded_by_the_local_engine_and_answers_plain_data(tmp_path, fast_course,
                                                                      root):
    good = (root / "solutions" / A / "decaying_cosine.py").read_text()
    payload = payload_for(fast_course, tmp_path, [good, "def decaying_cosine(x):\n"
                                                        "    raise NotImplementedError\n"])
    payload["items"][1]["tar"] += b"\0"                 # arrives corrupted: not its fault
    payload["items"][0]["notes"] = ["two files handed in; s0.py counts"]   # from locating it
    answer = shards.grade_shard(payload)
    assert [r["index"] for r in answer["graded"]] == [0, 1]
    rows = dict(shards.read_rows(answer, {0: Item("s0", tmp_path), 1: Item("s1", tmp_path)}))
    assert rows[0].report.score == rows[0].report.max_score == 5 and not rows[0].crashed
    assert "two files handed in; s0.py counts" in rows[0].report.notes
    assert rows[1].crashed and rows[1].report.score == 0
    assert {c.status for c in rows[1].report.checks} == {INFRASTRUCTURE}
    assert "corrupted" in rows[1].report.notes[0]
    assert plain(answer)


def plain(x):
    """True if `x` is made of builtin data only (what may travel between machines)."""
    if isinstance(x, dict):
        return all(isinstance(k, str) and plain(v) for k, v in x.items())
    if isinstance(x, list):
        return all(plain(v) for v in x)
    return x is None or isinstance(x, (str, bytes, int, float, bool))


def test_infrastructure_rows_are_never_cached_and_a_rerun_grades_only_them(tmp_path,
                                                                        fast_course):
    items = [Item(f"s{i}", write(tmp_path / "class" / f"s{i}.py", f"x = {i}\n"))
             for i in range(4)]
    cache = tmp_path / "gradebook.sqlite"

    def flaky(todo, course, assignment):  # a runner whose cluster loses s1 and s3
        for i, item, _digest in todo:
            if item.student in ("s1", "s3"):
                yield i, shards.infrastructure_graded(course, assignment, "lost", item)
            else:
                yield i, gradeall.Graded(item, zero_report(course, assignment, "graded"))
    first = grade_all(items, fast_course, A, cache_path=cache, runner=flaky)
    assert [g.crashed for g in first] == [False, True, False, True]
    asked = []

    def records(todo, course, assignment):
        for i, item, _d in todo:
            asked.append(item.student)
            yield i, gradeall.Graded(item, first[0].report)
    second = grade_all(items, fast_course, A, cache_path=cache, runner=records)
    assert asked == ["s1", "s3"]
    assert [g.cached for g in second] == [True, False, True, False]


def test_count_once_counts_each_student_once_whoever_tells_first():
    seen = []
    count = CountOnce(seen.append)
    for student in ["a", "b", "a", "c", "b"]:
        count(gradeall.Graded(Item(student, "."), None))
    assert [g.item.student for g in seen] == ["a", "b", "c"]


@pytest.mark.parametrize("n, threads, size", [
    (12, 2, 6), (14, 3, 5), (100, 2, 25), (100_000, 100, 50), (100_001, 100, 48), (3, 8, 1),
    (1, 4, 1), (40, 1, 20), (0, 2, 1)])
def test_shard_size_from_class_size_and_worker_threads(n, threads, size):
    assert shard_size(n, threads) == size


@pytest.mark.slow
def test_a_submission_too_large_to_send_gets_one_infrastructure_row(tmp_path, fast_course,
                                                                    monkeypatch):
    from distributed import Client, LocalCluster

    from grader.bulk.cluster import DaskRunner
    monkeypatch.setattr(shards, "MAX_PACK_BYTES", 4)
    items = [Item(f"s{i}", write(tmp_path / f"s{i}.py", f"x = {i}\n")) for i in range(5)]
    with LocalCluster(n_workers=1, processes=False,
                      dashboard_address="127.0.0.1:0") as lc, Client(lc) as client:
        seen = []
        graded = grade_all(items, fast_course, A, runner=DaskRunner(client, shard=2),
                           progress=seen.append)
    students = ["s0", "s1", "s2", "s3", "s4"]
    assert [g.item.student for g in graded] == sorted(g.item.student for g in seen) == students
    assert all(g.crashed and "too large to send" in g.report.notes[0] for g in graded)
    assert {c.status for g in graded for c in g.report.checks} == {INFRASTRUCTURE}
