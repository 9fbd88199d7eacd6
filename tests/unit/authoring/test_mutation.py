"""grader/authoring/mutation.py without grading: the operators and the equivalent file."""
import ast
from pathlib import Path

import pytest

from grader.authoring import mutation as M

ROOT = Path(__file__).resolve().parents[3]

TEXT = '''import copy
import numpy as np


def outside(x, n=3):
    return x.shape[1] + len(x) * 2 - n


def inside(x_ND, n_iters=10, step=0.5):
    """A docstring."""
    ### BEGIN SOLUTION
    D = x_ND.shape[1]
    w = np.zeros(D, dtype=np.float64)
    k = 0
    while k < n_iters:
        k += 1
    for t in range(n_iters):
        w = w - step * -w
        if t >= 2 and not (D == 1):
            w = copy.deepcopy(w.copy())
    return np.round(w, decimals=3)
    ### END SOLUTION
'''


def _all():
    return M.mutants_of_text(TEXT, "hw", "ex", "ex.py", dims=(2, 1))


def test_every_operator_is_produced():
    ops = {m.operator for m in _all()}
    assert ops >= {"arith", "compare", "constant", "negation", "return", "delete", "dim",
                   "loop", "copy", "keyword", "dtype"}


def test_mutants_are_valid_python_that_differs():
    original = {f.name: ast.unparse(f) for f in ast.parse(TEXT).body
                if isinstance(f, ast.FunctionDef)}
    for m in _all():
        tree = ast.parse(m.source)              # valid Python
        assert [f.name for f in tree.body] == [m.function]
        assert ast.unparse(tree.body[0]) != original[m.function], m.key
        compile(m.source, "<mutant>", "exec")


def test_only_solution_regions_are_touched():
    first, last = M.solution_regions(TEXT)[0]
    assert TEXT.splitlines()[first - 2].strip() == "### BEGIN SOLUTION"
    for m in _all():
        assert m.function == "inside" and first <= m.line <= last, m.key


def test_students_specialise_operators():
    muts = _all()
    dims = [m.mutated for m in muts if m.operator == "dim"]
    assert "D = 2" in dims and "D = 1" in dims
    assert any("list(range(n_iters))[:3]" in m.mutated for m in muts if m.operator == "loop")
    assert any("_mutation_k = 0" in m.mutated for m in muts if m.operator == "loop")
    assert any(m.mutated == "w = np.zeros(D, dtype=np.float32)" for m in muts)
    assert any(m.mutated == "w = copy.deepcopy(w)" for m in muts if m.operator == "copy")
    assert any(m.mutated == "w = w.copy()" for m in muts if m.operator == "copy")
    assert any(m.mutated == "return np.round(w)" for m in muts if m.operator == "keyword")


def test_while_loop_mutant_stops():
    m = next(m for m in _all() if m.operator == "loop" and "_mutation_k" in m.source)
    ns = {"np": __import__("numpy"), "copy": __import__("copy")}
    exec(m.source, ns)                          # noqa: S102 (our own generated code)
    assert ns["inside"](__import__("numpy").ones((2, 2)), n_iters=10).shape == (2,)


def test_select_is_a_reproducible_sample():
    muts = _all()
    a, b = M.select(muts, 5, seed=3), M.select(muts, 5, seed=3)
    assert [m.key for m in a] == [m.key for m in b] and len(a) == 5
    assert M.select(muts, None) == muts


def test_the_committed_equivalent_file_parses():
    assert isinstance(M.load_equivalent(ROOT / M.EQUIVALENT_FILE), list)


def test_equivalent_entries_match_and_need_a_reason(tmp_path):
    m = next(m for m in _all() if m.operator == "dtype")
    good = tmp_path / "eq.yml"
    good.write_text(f"equivalent:\n  - {{assignment: hw, file: ex.py, operator: dtype, "
                    f"mutated: '{m.mutated}', reason: same numbers at this size}}\n")
    entries = M.load_equivalent(good)
    assert M.equivalent_reason(m, entries) == "same numbers at this size"
    other = next(x for x in _all() if x.operator == "arith")
    assert M.equivalent_reason(other, entries) is None
    bad = tmp_path / "bad.yml"
    bad.write_text("equivalent:\n  - {assignment: hw, file: ex.py, operator: dtype, mutated: x}\n")
    with pytest.raises(ValueError, match="reason"):
        M.load_equivalent(bad)
    assert M.load_equivalent(tmp_path / "missing.yml") == []


def test_reference_solutions_yield_mutants_in_their_regions():
    for path in sorted((ROOT / "solutions").glob("*/*.py")):
        if path.stem.startswith("_"):
            continue
        text = path.read_text(encoding="utf-8")
        regions = M.solution_regions(text)
        muts = M.mutants_of_text(text, path.parent.name, path.stem, path.name)
        assert muts, path.name
        assert all(any(a <= m.line <= b for a, b in regions) for m in muts), path.name
