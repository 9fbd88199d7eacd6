"""Student notebooks: generation, the reference run, grading .ipynb files, check() in a notebook."""
import json
import shutil
import subprocess
import sys
import time

import pytest

from grader.submission.locate import find_submissions
from grader.judge.grade import grade
from grader.notebook import run_checks
from grader.authoring.notebooks import build_notebook, build_notebooks, notebook_targets, notebook_text
from grader.authoring.stubs import strip_markers
from grader.submission.load import SubmissionError
from grader.submission.locate import load_submission

nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook  # noqa: E402

from tests.conftest import ROOT
ASSIGNMENTS = [a for a, _ in notebook_targets(ROOT, __import__("grader.config").config.load_course(
    ROOT / "course.yml"))]


def test_committed_notebooks_are_fresh(root, course):
    assert build_notebooks(root, course, write=False) == [], "run `grader build`"


def test_stale_notebook_is_reported(tmp_path, course):
    shutil.copytree(ROOT / "solutions" / "hw1_autograd", tmp_path / "solutions" / "hw1_autograd")
    dst = tmp_path / "assignments" / "hw1_autograd" / "hw1_autograd.ipynb"
    assert build_notebooks(tmp_path, course, write=True) == [dst]
    assert build_notebooks(tmp_path, course, write=False) == []
    narrative = tmp_path / "solutions" / "hw1_autograd" / "_notebook.py"
    narrative.write_text(narrative.read_text() + "\n# %% [markdown]\n# One more remark.\n")
    assert build_notebooks(tmp_path, course, write=False) == [dst]


def test_assignment_without_narrative_gets_a_default_notebook(tmp_path, course):
    """A new assignment (e.g. one just added) needs no per-assignment code."""
    folder = tmp_path / "solutions" / "hw1_autograd"
    shutil.copytree(ROOT / "solutions" / "hw1_autograd", folder)
    (folder / "_notebook.py").unlink()
    nb = build_notebook(tmp_path, course, "hw1_autograd", "student")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    for exercise in course.assignment("hw1_autograd").exercises:
        assert f'check("{exercise}")' in code
    assert any("raise NotImplementedError()" in c and "def trid(" in c for c in code)
    nbg = build_notebook(tmp_path, course, "hw1_autograd", "nbgrader")
    tests = [c for c in nbg.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(tests) == len(course.checks_for("hw1_autograd"))


def test_a_new_exercise_file_joins_an_existing_narrative(tmp_path, course):
    folder = tmp_path / "solutions" / "hw1_autograd"
    shutil.copytree(ROOT / "solutions" / "hw1_autograd", folder)
    (folder / "zz_extra.py").write_text('"""Exercise zz_extra: one more."""\n\n\n'
                                        "def extra(x):\n    ### BEGIN SOLUTION\n"
                                        "    return 2 * x\n    ### END SOLUTION\n")
    nb = build_notebook(tmp_path, course, "hw1_autograd", "student")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    at = next(i for i, c in enumerate(code) if "def extra(x):" in c)
    assert "raise NotImplementedError()" in code[at]
    assert code[-1].startswith("check_all(") and at == len(code) - 2


def test_every_exercise_function_is_in_the_notebook(root, course):
    for assignment in ASSIGNMENTS:
        student = notebook_text(build_notebook(root, course, assignment, "student"))
        reference = notebook_text(build_notebook(root, course, assignment, "reference"))
        assert "BEGIN SOLUTION" not in student and "BEGIN SOLUTION" not in reference
        for path in (root / "solutions" / assignment).glob("[!_]*.py"):
            for line in path.read_text().splitlines():
                if line.startswith("def "):
                    assert json.dumps(line)[1:-1] in reference, (path.name, line)


# ------------------------------------------------------------ reference run
@pytest.fixture(scope="module")
def warm_matplotlib():
    # The first import builds the font cache and says so on stderr; not the notebook's fault.
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot"], capture_output=True)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_notebook_runs_clean_and_fast(assignment, root, course, warm_matplotlib,
                                                monkeypatch):
    """Top to bottom, no error, nothing on stderr, every public check full, within a minute."""
    from nbclient import NotebookClient
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = build_notebook(root, course, assignment, "reference")
    started = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(root)}}).execute()
    elapsed = time.perf_counter() - started
    print(f"\n{assignment}: reference notebook ran in {elapsed:.1f} s")
    images, tables = 0, []
    for i, cell in enumerate(nb.cells, 1):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", (i, out.get("ename"), out.get("evalue"))
            assert not (out.output_type == "stream" and out.name == "stderr"), (i, out.text)
            data = out.get("data", {})
            images += "image/png" in data
            if "grader-check" in cell.metadata.get("tags", []) and "text/plain" in data:
                tables.append(data["text/plain"].splitlines()[0])
    assert tables and all(_full(t) for t in tables), tables
    if (root / "solutions" / assignment / "_notebook.py").exists():
        assert images >= 3, "the narrative promises plots"
    assert elapsed < 60


def _full(header):
    score, top = header.split(":")[1].split("points")[0].split("/")
    return float(score) == float(top)


# ------------------------------------------------------------ .ipynb loader
def _write(tmp_path, cells, name="sub.ipynb"):
    path = tmp_path / name
    nbformat.write(new_notebook(cells=cells), path)
    return path


def _reference(name):
    return strip_markers((ROOT / "solutions" / "hw1_autograd" / name).read_text())


def test_malformed_notebook_is_a_clear_error(tmp_path):
    bad = tmp_path / "broken.ipynb"
    bad.write_text('{"cells": [ {"cell_type": "code", "source": "x = 1"')
    with pytest.raises(SubmissionError, match=r"broken.ipynb: not a valid notebook.*line 1"):
        load_submission(bad)
    notjson = tmp_path / "list.ipynb"
    notjson.write_text("[1, 2]")
    with pytest.raises(SubmissionError, match="not a Jupyter notebook"):
        load_submission(notjson)


def test_a_raising_cell_does_not_stop_later_cells(tmp_path, course):
    path = _write(tmp_path, [
        new_markdown_cell("# my homework"),
        new_code_cell("%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                      "plt.plot([1, 2]); plt.show()\nraise ValueError('oops')"),
        new_code_cell(_reference("decaying_cosine.py")),
        new_code_cell('check("decaying_cosine")', metadata={"tags": ["grader-check"]}),
        new_code_cell("while True: pass", metadata={"tags": ["demo"]}),
    ])
    sub = load_submission(path)
    first = "the code cell that starts with `%matplotlib inline`"
    assert [c.name for c in sub.chunks][0] == first and len(sub.chunks) == 2
    assert sub.chunks[1].name.startswith("the code cell that starts with `\"\"\"Exercise decaying")
    rep = grade(sub, course, "hw1_autograd", exercises=["decaying_cosine"])
    assert rep.score == rep.max_score
    assert any(first in n and "ValueError" in n for n in rep.notes), rep.notes


def test_messages_point_to_the_cell(tmp_path, course):
    code = _reference("trid.py").replace("return autograd.grad(trid)(x_D)", "return 1 / 0")
    rep = grade(load_submission(_write(tmp_path, [new_code_cell("import numpy as np"),
                                                  new_code_cell(code)])),
                course, "hw1_autograd", exercises=["trid"], include_hidden=False)
    grad = next(c for c in rep.checks if c.name == "gradient")
    assert grad.status == "error" and "starts with `\"\"\"Exercise trid" in grad.message, grad.message


# ------------------------------------------------------------ check() in-process
PARTIAL = {"decaying_cosine.py": ("ag_np.exp(-x / 10.0)", "ag_np.exp(x / 10.0)"),
           "trid.py": ("- ag_np.sum(x_D[1:] * x_D[:-1])", "+ ag_np.sum(x_D[1:] * x_D[:-1])")}


def _partial_code():
    parts = []
    for name, (old, new) in PARTIAL.items():
        text = _reference(name)
        assert old in text
        parts.append(text.replace(old, new))
    return parts


def test_in_process_checks_equal_isolated_checks(tmp_path, course):
    """One grading path: same statuses, scores and messages as `grader check`."""
    parts = _partial_code()
    namespace = {"__name__": "__main__"}
    for code in parts:
        exec(compile(code, "<cell>", "exec"), namespace)
    exercises = ["decaying_cosine", "trid"]
    inproc = run_checks(namespace, "hw1_autograd", exercises, course=course)
    path = _write(tmp_path, [new_code_cell(c) for c in parts])
    isolated = grade(load_submission(path), course, "hw1_autograd", exercises=exercises,
                     include_hidden=False)
    assert [(c.name, c.status, c.score, c.message) for c in inproc.checks] == \
           [(c.name, c.status, c.score, c.message) for c in isolated.checks]
    assert 0 < inproc.score < inproc.max_score


def test_check_prints_a_table_and_nothing_on_stderr(capfd):
    code = _reference("decaying_cosine.py").replace(
        "    return ag_np.exp(-x / 10.0) * ag_np.cos(x)",
        "    import sys, warnings\n    print('debug', file=sys.stderr)\n"
        "    warnings.warn('careful')\n    return ag_np.exp(-x / 10.0) * ag_np.cos(x)")
    namespace = {"__name__": "__main__"}
    exec(compile(code + "\nfrom grader.notebook import check\ncheck('decaying_cosine')\n",
                 "<cell>", "exec"), namespace)
    out, err = capfd.readouterr()
    assert err == ""
    assert "hw1_autograd: 4 / 4 points" in out and "decaying_cosine" in out
    assert "debug" in out and "careful" in out  # shown under the table, not on stderr


def test_grade_check_returns_points_and_never_raises(capfd):
    from grader.notebook import grade_check
    namespace = {"__name__": "__main__"}
    exec(compile(_reference("decaying_cosine.py") + "\nfrom grader.notebook import grade_check\n"
                 "pts = grade_check('hw1_autograd', 'decaying_cosine', 'gradient_hidden')\n",
                 "<cell>", "exec"), namespace)
    assert namespace["pts"] == 1
    assert grade_check("hw1_autograd", "trid", "values") == 0.0  # nothing defined here
    assert capfd.readouterr().err == ""


# ------------------------------------------------------------ bulk layout
def test_find_submissions_layouts(tmp_path):
    sub = tmp_path / "course" / "submitted"
    for student in ("bob", "alice"):
        (sub / student / "hw1_autograd").mkdir(parents=True)
        (sub / student / "hw1_autograd" / "hw1_autograd.ipynb").write_text("{}")
        (sub / student / "hw1_autograd" / "timestamp.txt").write_text("2026-01-01")
    (sub / "carol" / "hw1_autograd").mkdir(parents=True)
    (sub / "carol" / "hw1_autograd" / "trid.py").write_text("")
    found = find_submissions(tmp_path / "course", "hw1_autograd")
    assert [s for s, _, _ in found] == ["alice", "bob", "carol"]
    assert all(p.name == "hw1_autograd" and p.is_dir() for _, p, _ in found)
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "dave.py").write_text("")
    (flat / "notes.txt").write_text("")
    assert [s for s, _, _ in find_submissions(flat, "hw1_autograd")] == ["dave"]


# ------------------------------------------------------------ examples
EXAMPLES = ROOT / "examples" / "submissions"


def test_example_notebook_grades_like_its_py_form(course, fork_servers):
    """partial.ipynb is partial.py pasted into the student notebook: same verdicts."""
    folder = EXAMPLES / "hw1_autograd"
    as_py = grade(load_submission(folder / "partial.py"), course, "hw1_autograd",
                  include_hidden=False, session_factory=fork_servers("hw1_autograd"))
    as_nb = grade(load_submission(folder / "partial.ipynb"), course, "hw1_autograd",
                  include_hidden=False, session_factory=fork_servers("hw1_autograd"))
    assert [(c.name, c.status, c.score) for c in as_py.checks] == \
           [(c.name, c.status, c.score) for c in as_nb.checks]
    assert 0 < as_nb.score < as_nb.max_score


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_example_stub_notebook_is_not_attempted(assignment, course, fork_servers):
    path = EXAMPLES / assignment / "stub.ipynb"
    if not path.exists():
        pytest.skip("run examples/submissions/make_notebooks.py")
    rep = grade(load_submission(path), course, assignment, include_hidden=False,
                session_factory=fork_servers(assignment))
    assert rep.score == 0 and {c.status for c in rep.checks} == {"not_attempted"}
