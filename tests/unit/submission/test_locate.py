"""The one rule for what is graded (submission/locate.py)."""
import json
import zipfile

from grader.config import Limits
from grader.submission.locate import attempted, find_submissions, load_submission

import pytest

from grader.submission.load import SubmissionError

STUB = 'def trid(x_D):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n'
DONE = "def trid(x_D):\n    return float(x_D[0])\n"


def notebook(path, *sources, counts=None):
    cells = [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [],
              "execution_count": (counts or [None] * len(sources))[i]}
             for i, s in enumerate(sources)]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": cells}))
    return path


def test_a_completed_notebook_beats_untouched_stubs(tmp_path):
    (tmp_path / "trid.py").write_text(STUB)
    notebook(tmp_path / "hw.ipynb", "import numpy as np", DONE)
    sub = load_submission(tmp_path)
    assert sub.files == ["hw.ipynb"] and sub.notes[0] == "graded: hw.ipynb"
    assert sub.path == str(tmp_path)


def test_notebook_helpers_are_not_attempted_exercises(tmp_path):
    """The release bundle: the student filled in the .py file; the untouched notebook's
    plot helpers and worked examples are no exercise and must not outvote it."""
    (tmp_path / "trid.py").write_text(DONE)
    helpers = "def plot_it(x):\n    return x\n\ndef square(x):\n    return x * x\n"
    notebook(tmp_path / "hw.ipynb", helpers, STUB)
    sub = load_submission(tmp_path)
    assert sub.files == ["trid.py"]
    assert not any("NOT graded" in n for n in sub.notes)


def test_two_candidates_with_work_the_larger_wins_and_the_other_is_named(tmp_path):
    (tmp_path / "trid.py").write_text(DONE + "\ndef trid_grad(x_D):\n    return x_D\n")
    notebook(tmp_path / "hw.ipynb", DONE)
    sub = load_submission(tmp_path)
    assert sub.files == ["trid.py"]
    assert any("hw.ipynb with 1 attempted" in n and "NOT graded" in n for n in sub.notes)


def test_stubs_alone_tie_goes_to_the_py_files_without_a_note(tmp_path):
    (tmp_path / "trid.py").write_text(STUB)
    notebook(tmp_path / "hw.ipynb", STUB)
    sub = load_submission(tmp_path)
    assert sub.files == ["trid.py"] and not any("NOT graded" in n for n in sub.notes)


def test_attempted_ignores_stub_bodies():
    sub = load_submission.__globals__["Submission"](origin="x")
    from grader.submission.load import Chunk
    sub.chunks = [Chunk("a", STUB + "def f():\n    pass\n" + DONE.replace("trid", "g"))]
    assert attempted(sub) == {"g"}


def test_a_notebook_alone_in_a_folder_and_in_a_zip(tmp_path):
    folder = tmp_path / "only"
    folder.mkdir()
    notebook(folder / "hw.ipynb", DONE)
    assert load_submission(folder).files == ["hw.ipynb"]
    z = tmp_path / "sub.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(folder / "hw.ipynb", "hw.ipynb")
    sub = load_submission(z)
    assert sub.files == ["hw.ipynb"] and sub.tmp
    tmp = sub.tmp
    sub.close()
    assert not __import__("os").path.exists(tmp)


def test_repository_layout_uses_assignments_folder(tmp_path):
    inner = tmp_path / "assignments" / "hw1_autograd"
    inner.mkdir(parents=True)
    (inner / "trid.py").write_text(DONE)
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "x.py").write_text("y = 1\n")
    sub = load_submission(tmp_path, assignment="hw1_autograd")
    assert sub.files == ["trid.py"] and sub.path == str(inner)


def test_one_row_per_student_with_several_files(tmp_path):
    (tmp_path / "ann.py").write_text(STUB)
    notebook(tmp_path / "ann.ipynb", DONE)
    (tmp_path / "bob.py").write_text(DONE)
    found = find_submissions(tmp_path, "hw1_autograd")
    assert [(s, p.name) for s, p, _ in found] == [("ann", "ann.ipynb"), ("bob", "bob.py")]
    assert "NOT graded: ann.py" in found[0][2][0] and found[1][2] == []


def test_input_caps_are_course_keys_and_errors_name_them(tmp_path):
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(5):
            zf.writestr(f"f{i}.py", "x = 1\n")
    with pytest.raises(SubmissionError, match="limits.zip_members"):
        load_submission(z, limits=Limits(zip_members=3))
    assert load_submission(z, limits=Limits(zip_members=5)).files
    (tmp_path / "big.py").write_text("x = 1\n" * 200_000)
    with pytest.raises(SubmissionError, match="limits.source_mb"):
        load_submission(tmp_path / "big.py", limits=Limits(source_mb=1))


def test_plain_py_grading_does_not_import_ipython(tmp_path):
    """IPython's transformer costs ~0.1 s to import: only notebooks pay for it."""
    import subprocess
    import sys
    (tmp_path / "trid.py").write_text(DONE)
    code = ("import sys; from grader.submission.locate import load_submission; "
            f"load_submission({str(tmp_path)!r}); print('IPython' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(__import__("tests.conftest").conftest.ROOT))
    assert out.stdout.strip() == "False", out.stderr
