"""Notebook cells as Jupyter runs them: IPython's transformer, cell names, demo cells."""
import json

from grader.submission.load import definitions_only, load_notebook, to_python


def test_continuation_lines_starting_with_percent_or_bang_parse_as_in_jupyter():
    cell = ('epoch, loss = 1, 0.5\nmsg = ("epoch %d loss %.3f"\n'
            '% (epoch, loss))\nsame = (epoch\n!= 2)\n%matplotlib inline\nfiles = !ls\n')
    code = to_python(cell)
    namespace = {"get_ipython": lambda: type("S", (), {"__getattr__": lambda s, n: (
        lambda *a, **k: None)})()}
    exec(compile(code, "cell", "exec"), namespace)
    assert namespace["msg"] == "epoch 1 loss 0.500" and namespace["same"] is True
    assert code.count("\n") == cell.count("\n")


def test_cell_magics_keep_a_python_body_and_drop_others():
    ns = {"get_ipython": lambda: None}
    exec(compile(to_python("%%time\nz = 2\n"), "c", "exec"), ns)
    assert ns["z"] == 2
    assert "rm -rf" not in to_python("%%bash\nrm -rf /\n").split("(")[0]


def test_demo_cells_keep_only_definitions_with_line_numbers():
    code = "import numpy as np\nslow()\n@dec\ndef helper(x):\n    return x\nplot(helper)\n"
    kept = definitions_only(code)
    assert kept.split("\n") == ["import numpy as np", "", "@dec", "def helper(x):",
                                "    return x", "", ""]


def test_cells_are_named_as_students_see_them(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# text"},
             {"cell_type": "code", "metadata": {}, "source": "x = 1", "execution_count": 7,
              "outputs": []},
             {"cell_type": "code", "metadata": {}, "source": "# comment\ndef trid(x):\n  return x",
              "execution_count": None, "outputs": []},
             {"cell_type": "code", "metadata": {"tags": ["demo"]}, "source": "plot()\n",
              "execution_count": None, "outputs": []}]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": cells}))
    names = [c.name for c in load_notebook(path).chunks]
    assert names == ["In [7]", "the code cell that starts with `def trid(x):`"]
