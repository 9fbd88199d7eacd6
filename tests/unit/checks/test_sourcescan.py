"""The parent's scan of the graded source (checks/sourcescan.py): names resolved as Python
binds them, closed forms found through helpers, classes, aliases and sibling files, the
student's own names never taken for a library's, data flow from an argument, tampering."""
import textwrap

from grader.checks.sourcescan import CLOSED_FORM_SOLVERS, GradedSource, source_flags
from grader.submission.load import Chunk


def scan(*files, cells=()):
    """A GradedSource of .py files {name: code} (each its own module) and notebook cells."""
    chunks = [Chunk(name, textwrap.dedent(code), 1, name[:-3]) for name, code in files]
    chunks += [Chunk(f"In [{i}]", textwrap.dedent(code), 1, "") for i, code in enumerate(cells)]
    return GradedSource(chunks)


def names(hits):
    return {(h.function, h.name) for h in hits}


def test_own_helper_named_like_a_solver_is_not_a_solver():
    src = scan(("fit.py", '''
        import numpy as np

        def solve(w):
            return w - 0.1 * w

        def fit(x):
            inv = 1.0 / x.size
            step = np.linalg.norm(x)
            return solve(np.ones(2)) * inv * step
    '''))
    assert src.find_calls(["fit"], CLOSED_FORM_SOLVERS) == []


def test_library_solvers_through_aliases_classes_helpers_getattr_and_module_values():
    src = scan(("fit.py", '''
        import numpy as np
        import scipy.linalg as sla
        from numpy.linalg import lstsq as best_weights

        SOLVER = {"f": np.linalg.pinv}

        class Solver:
            def weights(self, x, y):
                return np.linalg.solve(x, y)

        def _helper(x):
            return getattr(np.linalg, "ch" + "olesky")(x) + sla.qr(x)[1] + SOLVER["f"](x)

        def fit(x, y):
            return Solver().weights(x, y) + best_weights(x, y)[0] + _helper(x)

        def unrelated(x):
            return np.linalg.inv(x)
    '''))
    hits = names(src.find_calls(["fit"], CLOSED_FORM_SOLVERS))
    assert hits == {("Solver", "np.linalg.solve"), ("fit", "best_weights (= numpy.linalg.lstsq)"),
                    ("_helper", "getattr(np.linalg, 'cholesky')"), ("_helper", "sla.qr"),
                    ("SOLVER", "np.linalg.pinv")}
    assert src.find_calls(["unrelated"], CLOSED_FORM_SOLVERS)[0].line == 19  # of fit.py


def test_singular_values_alone_are_a_step_size_not_a_closed_form():
    src = scan(("fit.py", '''
        import numpy as np

        def fit(x):
            vals, _ = np.linalg.eigh(x.T @ x)
            lam, unused_vectors = np.linalg.eig(x.T @ x)
            return (1.0 / np.linalg.svd(x, compute_uv=False)[0] ** 2 + np.linalg.eigvalsh(x)[-1]
                    + np.linalg.eigh(x)[0][-1] + np.linalg.svd(x)[1][0] + vals[-1] + lam[0]
                    + np.linalg.svd(x).S[0])

        def fit_svd(x, y):
            u, s, vt = np.linalg.svd(x, full_matrices=False)
            return vt.T @ (u.T @ y / s)

        def fit_eigh(x, y):
            return np.linalg.eigh(x.T @ x)[1] @ y
    '''))
    assert src.find_calls(["fit"], CLOSED_FORM_SOLVERS) == []
    assert names(src.find_calls(["fit_svd"], CLOSED_FORM_SOLVERS)) == {("fit_svd", "np.linalg.svd")}
    assert names(src.find_calls(["fit_eigh"], CLOSED_FORM_SOLVERS)) == {
        ("fit_eigh", "np.linalg.eigh")}


def test_a_sibling_file_is_followed_and_a_later_definition_wins():
    src = scan(("tools.py", '''
        import numpy as np

        def exact(x, y):
            return np.linalg.lstsq(x, y)[0]

        def descend(x, y):
            return x
    '''), ("linreg.py", '''
        import tools
        from tools import descend

        def fit(x, y):
            return tools.exact(x, y)
    '''), cells=['''
        def fit(x, y):
            return descend(x, y)
    '''])
    assert src.find_calls(["fit"], CLOSED_FORM_SOLVERS) == []  # the cell's fit is graded
    assert names(src.find_calls(["exact"], CLOSED_FORM_SOLVERS)) == {("exact", "np.linalg.lstsq")}
    linreg_only = scan(("tools.py", '''
        import numpy as np

        def exact(x, y):
            return np.linalg.lstsq(x, y)[0]
    '''), ("linreg.py", '''
        import tools

        def fit(x, y):
            return tools.exact(x, y)
    '''))
    assert names(linreg_only.find_calls(["fit"], CLOSED_FORM_SOLVERS)) == {
        ("exact", "np.linalg.lstsq")}


def test_autodiff_modules_are_found_through_imports_and_globals():
    src = scan(("ng.py", '''
        import torch
        from autograd import grad
        grad_fn = torch.autograd.grad

        def by_hand(x):
            return 2 * x

        def uses_import(x):
            import jax
            return x

        def uses_global(x):
            return grad(x)

        def uses_value(x):
            return grad_fn(x)

        def own_backward(x):
            def backward(y):
                return y
            return backward(x)
    '''))
    modules = {"torch", "autograd", "jax"}
    assert src.find_calls(["by_hand", "own_backward"], {"backward"}, modules) == []
    assert {h.function for h in src.find_calls(["uses_import", "uses_global", "uses_value"],
                                               {"backward"}, modules)} == {
        "uses_import", "uses_global", "grad_fn"}


def test_result_depends_on_the_values_of_an_argument_or_only_on_its_size():
    src = scan(("trid.py", '''
        import numpy as np

        def reference(init_x_D):
            x_D = np.asarray(init_x_D, dtype=float)
            for _ in range(10):
                x_D, history = gd(x_D)
            return x_D

        def from_minimiser(init_x_D):
            D = len(init_x_D)
            d = np.arange(1, D + 1.0)
            x_D, _ = gd(d * (D + 1 - d), n=init_x_D.shape[0], z=np.zeros_like(init_x_D))
            return x_D

        def loop_carried(init_x_D):
            y = 0
            for _ in range(3):
                x = y
                y = init_x_D
            return x
    '''))
    assert src.uses_argument_values("reference", "init_x_D") is True
    assert src.uses_argument_values("from_minimiser", "init_x_D") is False
    assert src.uses_argument_values("loop_carried", "init_x_D") is True
    assert src.uses_argument_values("missing", "init_x_D") is None


def test_tampering_is_flagged_from_the_source_the_parent_read():
    src = scan(("a.py", '''
        import sys
        import numpy as np
        import grader.checks.evidence as ev

        def fit(x):
            return sys.modules["numpy"].linalg.norm(x) + np.linalg.norm(x)
    '''), cells=['exec("x = 1")\n', 'model_modules = list(range(3))\n'])
    found = src.tampering()
    assert any("grader.checks.evidence" in f for f in found)
    assert any("sys.modules" in f for f in found) and any("exec" in f for f in found)
    flags = source_flags(src, ["fit"], CLOSED_FORM_SOLVERS)
    assert len(flags) == 1 and "can reach the grader" in flags[0]
    assert scan(("b.py", "import numpy as np\nx = np.ones(2)\n")).tampering() == []


def test_unparsable_chunks_and_odd_input_never_crash_the_scan():
    src = GradedSource([{"name": "x.py", "code": "def f(:\n", "first_line": 1, "module": "x"},
                        {"name": "y.py", "code": "(" * 300 + ")" * 300, "module": "y"}])
    assert src.find_calls(["f"], CLOSED_FORM_SOLVERS) == [] and src.tampering() == []
    assert src.uses_argument_values("f", "a") is None


def test_the_release_notebooks_own_check_import_is_not_tampering():
    from grader.checks.sourcescan import GradedSource
    from grader.submission.load import Chunk
    given = "try:\n    from grader.notebook import check, check_all\nexcept ImportError:\n    pass\n"
    assert GradedSource([Chunk("In [1]", given, 1, "")]).tampering() == []
    more = "from grader.notebook import check, _session\n"
    assert GradedSource([Chunk("In [1]", more, 1, "")]).tampering()
