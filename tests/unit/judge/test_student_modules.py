"""A folder's files import each other inside the child, as when the student runs them;
a helper defined in a demo cell counts for official grading as it does for check()."""
import json
import textwrap

import pytest

from grader.judge.grade import grade
from grader.notebook import run_checks
from grader.submission.locate import load_submission

from tests.unit.judge.test_faults import REFERENCE, by_name, fast_course  # noqa: F401

TRID_HELPERS = '''
print("helpers loaded")
import autograd
import autograd.numpy as ag_np

def trid_impl(x_D):
    return ag_np.sum(ag_np.square(x_D - 1.0)) - ag_np.sum(x_D[1:] * x_D[:-1])

def broken(:
    pass
'''


@pytest.mark.slow
def test_folder_files_import_each_other(tmp_path, fast_course):
    (tmp_path / "helpers.py").write_text(TRID_HELPERS)
    trid = (REFERENCE / "trid.py").read_text()
    trid = trid.replace("def trid(x_D):", "from helpers import trid_impl\n\ndef _old_trid(x_D):")
    trid += "\n\ndef trid(x_D):\n    return trid_impl(x_D)\n"
    (tmp_path / "trid.py").write_text(trid)
    # a third file that reuses the GD loop, as the notebook invites
    (tmp_path / "zz_reuse.py").write_text(
        "from trid import run_many_iters_of_gradient_descent\nREUSED = True\n")
    rep = grade(load_submission(tmp_path, ["trid"]), fast_course, "hw1_autograd",
                exercises=["trid"])
    checks = by_name(rep)
    assert all(c.status == "passed" for c in checks.values()), [
        (c.name, c.message) for c in checks.values()]
    assert rep.output.count("helpers loaded") == 1  # imported by trid.py, not run again
    assert any("helpers.py line" in n and "SyntaxError" in n for n in rep.notes)
    assert not any("ModuleNotFoundError" in n for n in rep.notes)


def _notebook(path, cells):
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "source": src, "outputs": [], "execution_count": n,
         "metadata": {"tags": tags}} for src, tags, n in cells]}))
    return path


@pytest.mark.slow
def test_helper_in_a_demo_cell_counts_in_check_and_in_grading(tmp_path, fast_course):
    helper = textwrap.dedent('''
        import autograd.numpy as ag_np
        def square_sum(x_D):
            return ag_np.sum(ag_np.square(x_D - 1.0))
        print("a slow demo that grading skips")
        ''')
    solution = (REFERENCE / "trid.py").read_text().replace(
        "def trid(x_D):", "def _unused(x_D):") + (
        "\n\ndef trid(x_D):\n    return square_sum(x_D) - ag_np.sum(x_D[1:] * x_D[:-1])\n")
    book = _notebook(tmp_path / "nb.ipynb", [(helper, ["demo"], 3), (solution, [], 4)])
    official = grade(load_submission(book), fast_course, "hw1_autograd", exercises=["trid"])
    namespace = {}
    for src in (helper, solution):
        exec(src, namespace)
    in_notebook = run_checks(namespace, "hw1_autograd", ["trid"], course=fast_course)
    public = {c.name: c.status for c in official.checks if not c.hidden}
    assert public == {c.name: c.status for c in in_notebook.checks}
    assert set(public.values()) == {"passed"}
    assert "a slow demo" not in official.output


@pytest.mark.slow
def test_errors_name_cells_by_execution_count(tmp_path, fast_course):
    book = _notebook(tmp_path / "nb.ipynb", [("def trid(x_D):\n    return 1 / 0\n", [], 12)])
    rep = grade(load_submission(book), fast_course, "hw1_autograd", exercises=["trid"])
    message = by_name(rep)[("trid", "values")].message
    assert "(In [12] line 2, in trid" in message, message
