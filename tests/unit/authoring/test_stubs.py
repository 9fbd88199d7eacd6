"""Stubs are generated from the solutions and kept up to date."""
import ast

import pytest

from grader.authoring.stubs import StubError, build_stubs, make_stub, strip_markers, stub_targets

from tests.conftest import ROOT


@pytest.mark.slow
def test_committed_stubs_are_up_to_date():
    assert build_stubs(ROOT, write=False) == [], "run `grader build` and commit the result"


def test_stubs_parse_and_hold_no_solution_code():
    for src, dst in stub_targets(ROOT):
        stub = dst.read_text()
        ast.parse(stub)
        assert "BEGIN SOLUTION" not in stub and "raise NotImplementedError()" in stub
        solution_lines = _solution_lines(src.read_text())
        leaked = [l for l in solution_lines if len(l) > 25 and l in stub]
        assert not leaked, f"{dst.name} contains solution lines: {leaked[:2]}"


def _solution_lines(text):
    inside, out = False, []
    for line in text.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside and line.strip():
            out.append(line.strip())
    return out


def test_make_stub_keeps_indentation():
    text = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert make_stub(text) == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    assert strip_markers(text) == "def f(x):\n    return x\n"


@pytest.mark.parametrize("text", ["### BEGIN SOLUTION\n", "### END SOLUTION\n",
                                  "### BEGIN SOLUTION\n### BEGIN SOLUTION\n"])
def test_unbalanced_markers_are_errors(text):
    with pytest.raises(StubError):
        make_stub(text)
