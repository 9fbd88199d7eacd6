"""Runtime evidence (checks/evidence.py) and the name-resolving source scan (checks/sourcescan.py)."""
import textwrap

import numpy as np

from grader.checks import evidence
from grader.checks.evidence import GRADIENTS, SOLVERS, CallLog
from grader.checks.sourcescan import (CLOSED_FORM_SOLVERS, OWN, collect_origins, collect_sources,
                                      find_calls)


def namespace_of(code, tmp_path):
    """Run code as a submission would be run: a namespace named __submission__, real source."""
    path = tmp_path / "sub.py"
    path.write_text(textwrap.dedent(code))
    ns = {"__name__": "__submission__"}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    return ns


def test_call_log_counts_solvers_reached_any_way_and_restores_them(tmp_path):
    ns = namespace_of('''
        import numpy as np
        from numpy.linalg import lstsq as best

        def fit(x, y):
            a = getattr(np.linalg, "lst" + "sq")(x, y, rcond=None)[0]
            return best(x, y, rcond=None)[0] + 0 * a
    ''', tmp_path)
    original = np.linalg.lstsq
    with CallLog(SOLVERS + GRADIENTS, ns) as log:
        ns["fit"](np.eye(3), np.ones(3))
    assert log.counts["solver"] == 2 and log.counts["gradient"] == 0
    assert evidence.solvers_called(log.report()) == ["numpy.linalg.lstsq (2 calls)"]
    assert np.linalg.lstsq is original and ns["best"] is original


def test_call_log_counts_autograd_gradients_and_watched_functions(tmp_path):
    ns = namespace_of('''
        import autograd
        import autograd.numpy as ag_np

        def f(x):
            return ag_np.sum(x ** 2)

        def g(x):
            return autograd.grad(f)(x)

        def descend(x):
            for _ in range(5):
                x = x - 0.1 * g(x)
            return x
    ''', tmp_path)
    with CallLog(GRADIENTS, ns, watch=("g",)) as log:
        ns["descend"](np.ones(2))
    assert log.counts["gradient"] == 5 and log.counts["g"] == 5
    assert evidence.count(log.report(), "g") == 5 and evidence.count(None, "g") == 0


def test_own_helper_named_like_a_solver_is_not_a_solver(tmp_path):
    ns = namespace_of('''
        import numpy as np

        def solve(w):
            return w - 0.1 * w

        def fit(x):
            inv = 1.0 / x.size
            return solve(np.ones(2)) * inv
    ''', tmp_path)
    sources = collect_sources(ns["fit"], ns)
    origins = collect_origins(ns["fit"], ns)
    assert origins["fit"]["solve"] == OWN and origins["fit"]["np"] == "numpy"
    assert {h[2] for h in find_calls(sources, CLOSED_FORM_SOLVERS)} == {"solve", "inv"}  # by name
    assert find_calls(sources, CLOSED_FORM_SOLVERS, origins) == []                      # resolved


def test_resolved_scan_still_finds_library_solvers_aliases_and_class_methods(tmp_path):
    ns = namespace_of('''
        import numpy as np
        from numpy.linalg import lstsq as best_weights

        class Solver:
            def weights(self, x, y):
                return np.linalg.solve(x, y)

        def fit(x, y):
            return Solver().weights(x, y) + best_weights(x, y, rcond=None)[0]
    ''', tmp_path)
    sources, origins = collect_sources(ns["fit"], ns), collect_origins(ns["fit"], ns)
    assert "Solver.weights" in sources
    hits = {(fn, name) for fn, _, name in find_calls(sources, CLOSED_FORM_SOLVERS, origins)}
    assert ("Solver.weights", "solve") in hits
    assert ("fit", "best_weights (= numpy.linalg.lstsq)") in hits
