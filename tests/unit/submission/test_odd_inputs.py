"""Odd input is a grade or a recorded zero with a reason, never an exception (issue 18, class 5).

First the inputs that crashed `grader grade` with a traceback, one regression test each;
then property-based tests (hypothesis) of zips, folders and notebooks that call the
loaders directly (no sandbox): the only outcomes are a Submission or a SubmissionError
whose message names the file.
"""
import json
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.bulk.gradeall import content_digest
from grader.config import Limits
from grader.execution.sandbox import copy_submission
from grader.submission.inputs import InputError, regular_files
from grader.submission.load import Submission, SubmissionError, load_notebook
from grader.submission.locate import load_submission

from tests.conftest import examples

FUZZ = settings(max_examples=examples(40), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CODE = "def trid(x_D):\n    return 1.0\n"


def notebook_text(cell=None, top=None):
    c = {"cell_type": "code", "metadata": {}, "source": CODE, "outputs": [],
         "execution_count": 1}
    c.update(cell or {})
    nb = {"cells": [c], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    nb.update(top or {})
    return json.dumps(nb)


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def outcome(path, assignment="hw1_autograd"):
    """('graded', Submission) or ('refused', message); anything else escapes and fails."""
    try:
        sub = load_submission(path, assignment=assignment)
    except SubmissionError as err:
        assert str(err).strip(), "a refusal must say why"
        return "refused", str(err)
    try:
        assert isinstance(sub, Submission) and sub.notes[0].startswith("graded:")
        return "graded", sub
    finally:
        tmp = sub.tmp
        sub.close()
        assert tmp is None or not os.path.exists(tmp)


# ------------------------------------------------- the ten inputs that crashed (regressions)
ODD_ZIPS = {
    "deeply nested folders": [("/".join(["a"] * 1100) + "/trid.py", CODE)],
    "a file, then a folder of the same name": [("a", "x"), ("a/trid.py", CODE)],
    "a folder, then a file of the same name": [("a/trid.py", CODE), ("a", "x")],
    "a very long member name": [("b" * 300 + ".py", CODE)],
}
ODD_NOTEBOOKS = {
    "JSON nested deeply": '{"cells": ' + "[" * 100000 + "]" * 100000 + "}",
    "a huge integer": '{"cells": [], "x": ' + "9" * 5000 + "}",
    "notebook metadata a list": notebook_text(top={"metadata": [1, 2]}),
    "cell metadata a list": notebook_text({"metadata": [1]}),
    "nbgrader metadata a string": notebook_text({"metadata": {"nbgrader": "grade"}}),
    "source a list of ints": notebook_text({"source": [1, 2]}),
    "tags an int": notebook_text({"metadata": {"tags": 5}}),
    "tags a list of lists": notebook_text({"metadata": {"tags": [["demo"]]}}),
}
ODD_SOURCES = {
    "a unary chain the parser gives up on": "x = " + "-" * 200000 + "1\n" + CODE,
    "lambdas nested too deeply": "x = " + "lambda: " * 20000 + "1\n" + CODE,
}


@pytest.mark.parametrize("what", sorted(ODD_ZIPS))
def test_odd_zips_are_refused_with_a_reason(tmp_path, what):
    status, message = outcome(write_zip(tmp_path / "s.zip", ODD_ZIPS[what]))
    assert status == "refused" and "s.zip" in message, message


@pytest.mark.parametrize("what", sorted(ODD_NOTEBOOKS))
def test_odd_notebooks_are_graded_or_refused_with_a_reason(tmp_path, what):
    path = tmp_path / "hw.ipynb"
    path.write_text(ODD_NOTEBOOKS[what])
    status, got = outcome(path)
    assert status == "graded" or "hw.ipynb" in got, got


def test_odd_metadata_does_not_lose_the_cells_code(tmp_path):
    for what in ("cell metadata a list", "nbgrader metadata a string", "tags an int"):
        path = tmp_path / "hw.ipynb"
        path.write_text(ODD_NOTEBOOKS[what])
        assert [c.code for c in load_notebook(path).chunks] == [CODE], what


@pytest.mark.parametrize("what", sorted(ODD_SOURCES))
def test_source_the_parser_gives_up_on_is_a_note(tmp_path, what):
    path = tmp_path / "trid.py"
    path.write_text(ODD_SOURCES[what])
    status, sub = outcome(path)
    assert status == "graded" and any("SyntaxError" in n for n in sub.notes), sub.notes


@contextmanager
def deep_folder(levels=1100):
    """A submission folder with trid.py `levels` folders down, removed afterwards (not in
    tmp_path: pytest's own clean-up recurses and would crash)."""
    with scratch() as d:
        deep = path = d / "s"
        path.mkdir()
        try:
            for _ in range(levels):   # one by one: os.makedirs itself recurses
                path = path / "a"
                path.mkdir()
            (path / "trid.py").write_text(CODE)
            yield deep
        finally:
            while path != d:   # bottom up, without recursion
                for f in path.iterdir():
                    f.unlink()
                path.rmdir()
                path = path.parent


@pytest.mark.slow
def test_a_folder_nested_a_thousand_deep():
    with deep_folder() as deep:
        assert outcome(deep)[0] in ("graded", "refused")
        assert regular_files(deep) == []          # deeper than MAX_DEPTH: not read
        content_digest(deep)


@pytest.mark.slow
def test_a_folder_nested_a_thousand_deep_for_a_cluster(course):
    from grader.bulk.gradeall import Item
    from grader.bulk.shards import pack_shard
    with deep_folder() as deep:
        _payload, unpackable = pack_shard("run", "v", course, "hw1_autograd", False,
                                          [(0, Item("s", deep), "digest")])
        assert "nested too deeply" in unpackable[0]


def test_a_file_name_that_is_not_utf8(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "trid.py").write_text(CODE)
    with open(os.path.join(os.fsencode(folder), b"\xff\xfe.py"), "w") as fh:
        fh.write("x = 1\n")
    assert outcome(folder)[0] == "graded"
    content_digest(folder)


# ----------------------------------------------------------------- property-based
@contextmanager
def scratch():
    d = tempfile.mkdtemp(prefix="fuzz-")
    try:
        yield Path(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)
SOURCE = st.sampled_from([CODE, "%matplotlib inline\n" + CODE, "!ls\n", "%%bash\necho",
                          "def f(:\n", "x = 1\0\n", "", "   \n"]) | st.text(max_size=40)
CELL = st.fixed_dictionaries(
    {}, optional={"cell_type": st.sampled_from(["code", "markdown", "raw"]) | JSON,
                  "source": SOURCE | st.lists(SOURCE | JSON, max_size=3) | JSON,
                  "metadata": st.fixed_dictionaries({}, optional={
                      "tags": st.lists(st.sampled_from(["demo", "grader-check"]) | JSON,
                                       max_size=3) | JSON,
                      "nbgrader": st.fixed_dictionaries({}, optional={
                          "grade": JSON, "solution": JSON}) | JSON}) | JSON,
                  "execution_count": st.integers(-5, 10**6) | JSON})
NOTEBOOK = st.fixed_dictionaries(
    {}, optional={"cells": st.lists(CELL | JSON, max_size=5) | JSON, "metadata": JSON,
                  "nbformat": JSON, "nbformat_minor": JSON})


@FUZZ
@given(NOTEBOOK, st.sampled_from(["plain", "bom", "truncated"]))
def test_any_notebook_json_is_graded_or_refused(nb, how):
    text = json.dumps(nb)
    data = {"plain": text.encode(), "bom": b"\xef\xbb\xbf" + text.encode(),
            "truncated": text.encode()[:max(1, len(text) // 2)]}[how]
    with scratch() as d:
        (d / "hw.ipynb").write_bytes(data)
        outcome(d / "hw.ipynb")
        outcome(d)


NAME_PART = st.sampled_from(["a", "trid.py", "hw.ipynb", ".git", "__MACOSX", "..", ".", "",
                             "x" * 300, "assignments", "hw1_autograd", "C:", "\\", "é.py"]) \
    | st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12)
MEMBER = st.tuples(st.lists(NAME_PART, min_size=1, max_size=6).map("/".join),
                   st.sampled_from([CODE.encode(), b"", b"\xff\xfe", notebook_text().encode(),
                                    b"PK\x03\x04 not a zip"]))


@FUZZ
@given(st.lists(MEMBER, max_size=6), st.booleans())
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_any_zip_is_graded_or_refused(members, damage):
    with scratch() as d:
        path = d / "s.zip"
        try:
            with zipfile.ZipFile(path, "w") as zf:
                for name, data in members:
                    zf.writestr(name, data)
        except (ValueError, OSError, IndexError):   # zipfile itself refuses to write that name
            return
        if damage:
            raw = bytearray(path.read_bytes())
            for i in range(10, len(raw), 37):
                raw[i] ^= 0x5A
            path.write_bytes(bytes(raw))
        before = set(os.listdir(tempfile.gettempdir()))
        outcome(path)
        leaked = {n for n in set(os.listdir(tempfile.gettempdir())) - before
                  if n.startswith("grader-zip-")}
        assert not leaked


ENTRY = st.tuples(st.lists(NAME_PART.filter(lambda p: p not in ("", ".", "..")
                                            and "/" not in p and "\0" not in p),
                           min_size=1, max_size=4),
                  st.sampled_from(["file", "empty", "binary", "notebook", "dir", "link-in",
                                   "link-out", "link-dir", "fifo", "zip"]))


def build(root, entries):
    for parts, kind in entries:
        path = root.joinpath(*parts)
        # Never write through a link made by an earlier entry: 'link-dir' points at / and
        # 'link-out' at /dev/zero, and the tests run as root.
        prefixes = [root.joinpath(*parts[:i]) for i in range(1, len(parts) + 1)]
        try:
            if any(p.is_symlink() for p in prefixes) or os.path.lexists(path):
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "file":
                path.write_text(CODE)
            elif kind == "empty":
                path.write_bytes(b"")
            elif kind == "binary":
                path.write_bytes(b"\xff\x00\xfe")
            elif kind == "notebook":
                path.write_text(notebook_text())
            elif kind == "dir":
                path.mkdir()
            elif kind == "link-in":
                os.symlink(".", path)
            elif kind == "link-out":
                os.symlink("/dev/zero", path)
            elif kind == "link-dir":
                os.symlink("/", path)
            elif kind == "fifo":
                os.mkfifo(path)
            elif kind == "zip":
                write_zip(path, [("trid.py", CODE)])
        except OSError:   # a name this file system refuses, or an entry already there
            pass


@FUZZ
@given(st.lists(ENTRY, max_size=8))
def test_any_folder_is_graded_or_refused_and_its_digest_computed(entries):
    with scratch() as d:
        root = d / "s"
        root.mkdir()
        build(root, entries)
        outcome(root)
        try:
            content_digest(root, Limits())
        except InputError:
            pass
        listed = regular_files(root)
        assert all(not p.is_symlink() and p.is_file() for p in listed)
        jail = d / "jail"   # the child's copy holds exactly what the cache key covers
        jail.mkdir()
        copy_submission(root, jail, Limits())
        copied = sorted(p.relative_to(jail) for p in jail.rglob("*") if p.is_file())
        assert copied == [p.relative_to(root) for p in listed]


def test_a_file_that_cannot_be_read_is_a_refusal(tmp_path, monkeypatch):
    from pathlib import Path as P
    (tmp_path / "trid.py").write_text(CODE)

    def gone(self):
        raise FileNotFoundError(2, "No such file or directory")
    monkeypatch.setattr(P, "read_bytes", gone)   # deleted between listing and reading
    status, message = outcome(tmp_path)
    assert status == "refused" and "No such file" in message, message
