"""A .py file exported from a notebook (`jupyter nbconvert --to script`) is graded as the
notebook is: one chunk per exported cell in the notebook namespace, where get_ipython() calls
(magics, ! lines) do nothing, and a cell that raises costs only its own names.
(End to end, with nbconvert itself: tests/e2e/test_student_route.py.)"""
from grader.judge.grade import grade
from grader.submission.load import is_notebook_export, load_py_file

from tests.conftest import ROOT

REFERENCE = ROOT / "solutions" / "hw1_autograd" / "decaying_cosine.py"


def exported(*cells):
    """The text nbconvert's script exporter writes for these code cells."""
    return "#!/usr/bin/env python\n# coding: utf-8\n\n" + "".join(
        f"# In[{i}]:\n\n\n{cell}\n\n" for i, cell in enumerate(cells, 1))


def test_export_is_split_at_its_cells_with_the_files_line_numbers(tmp_path):
    path = tmp_path / "hw.py"
    path.write_text(exported("get_ipython().run_line_magic('matplotlib', 'inline')\nx = 1",
                             "y = 2"))
    sub = load_py_file(path)
    assert [c.module for c in sub.chunks] == ["", "", ""]  # the notebook namespace
    lines = path.read_text().splitlines()
    for chunk in sub.chunks:
        first = chunk.code.splitlines()[0]
        assert lines[chunk.first_line - 1] == first
    assert sub.files == ["hw.py"] and all(c.name == "hw.py" for c in sub.chunks)


def test_plain_files_are_not_exports():
    assert not is_notebook_export(REFERENCE.read_text())
    assert is_notebook_export("x = 1\nget_ipython().system('ls')\n")
    assert is_notebook_export(exported("x = 1"))
    assert is_notebook_export(exported("x = 1").replace("\n", "\r\n"))  # saved on Windows


def test_magics_do_nothing_and_a_raising_cell_costs_only_its_names(tmp_path, course):
    code = REFERENCE.read_text()
    path = tmp_path / "hw1_autograd.py"
    path.write_text(exported("get_ipython().run_line_magic('matplotlib', 'inline')\n"
                             "get_ipython().system('echo hi')\nfiles = get_ipython().getoutput('ls')",
                             "1 / 0", code))
    rep = grade(load_py_file(path), course, "hw1_autograd", exercises=["decaying_cosine"],
                include_hidden=False)
    assert rep.score == rep.max_score > 0, [(c.name, c.message) for c in rep.checks]
    assert any("ZeroDivisionError" in n for n in rep.notes), rep.notes
