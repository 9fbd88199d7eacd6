"""Runtime evidence (checks/evidence.py): what it counts, and the rule that it can only
take points away: a forged report never raises a score (issue 18, class 2)."""
import functools
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.checks import evidence
from grader.checks.evidence import GRADIENTS, SOLVERS, CallLog
from grader.checks.fail import Fail
from grader.checks.registry import get_kind
from grader.checks.sourcescan import GradedSource
from grader.checks.hw1_autograd import decaying_cosine as dc, linreg_bias as lr, trid
from grader.checks.hw2_torch import numpy_gradients as ng
from grader.submission.load import Chunk

from tests.conftest import examples


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


def test_call_log_counts_factorisations_but_not_singular_values_alone(tmp_path):
    ns = namespace_of('''
        import numpy as np

        def fit(x, y):
            step = 1.0 / np.linalg.svd(x, compute_uv=False)[0] ** 2   # a step size: fine
            q, r = np.linalg.qr(x)                                     # a closed form
            return np.linalg.norm(y) * step + r[0, 0] + np.linalg.cholesky(x.T @ x)[0, 0]
    ''', tmp_path)
    with CallLog(SOLVERS, ns) as log:
        ns["fit"](np.eye(3) + 0.1, np.ones(3))
    assert evidence.solvers_called(log.report()) == ["numpy.linalg.cholesky (1 call)",
                                                     "numpy.linalg.qr (1 call)"]
    # a decomposition alone proves nothing (a step size): counted apart, a flag, no deduction
    assert log.counts["decomposition"] == 1
    assert any("decomposition: numpy.linalg.svd" in f for f in evidence.flags([log.report()], "fit"))


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
    assert evidence.count(log.report(), "g") == 5


def test_a_missing_or_malformed_report_proves_nothing():
    assert evidence.count(None, "gradient") is None
    assert evidence.count({"counts": {"gradient": "many"}}, "gradient") is None
    assert evidence.too_few(None, ["gradient"], 2) is None
    assert evidence.too_few({"counts": {"gradient": 1}}, ["gradient"], 2) == 1
    assert evidence.too_few({"counts": {"gradient": 3}}, ["gradient"], 2) is None


# --------------------------------------------- the invariant: evidence only takes away
HW1 = ["decaying_cosine.py", "trid.py", "linreg_bias.py", "nn_fit.py"]


def reference_source(root, assignment, files, extra=""):
    chunks = [Chunk(f, (root / "solutions" / assignment / f).read_text(), 1, f[:-3])
              for f in files]
    if extra:
        chunks.append(Chunk("extra.py", textwrap.dedent(extra), 1, files[0][:-3]))
    return GradedSource(chunks)


def planned(assignment, exercise, name, source):
    kind = get_kind(assignment, exercise, name)
    p = kind.Params()
    cases = kind.cases(p, np.random.default_rng(0))
    cases["_source"] = source
    return kind, p, cases


def fraction(kind, p, cases, got):
    try:
        out = kind.verify(p, cases, got)
    except Fail as fail:
        return fail.fraction
    return 1.0 if out is None else float(out)


@functools.lru_cache(maxsize=None)
def correct_replies(root):
    """(kind, params, cases, reply with honest evidence, key of the evidence) per "how" kind:
    the right numbers, as the reference would return them, with its call log."""
    hw1 = reference_source(root, "hw1_autograd", HW1)
    hw2 = reference_source(root, "hw2_torch", ["numpy_gradients.py"])
    clean = {"counts": {"solver": 0, "gradient": 400, "trid_grad": 400}, "called": {}}
    out = []
    kind, p, cases = planned("hw1_autograd", "linreg_bias", "fit", hw1)
    out.append((kind, p, cases, {"fits": [lr.least_squares(c["x"], c["y"]) for c in cases["sets"]],
                                 "calls": [clean for _ in cases["sets"]]}, "calls"))
    kind, p, cases = planned("hw1_autograd", "trid", "minimize", hw1)
    out.append((kind, p, cases, [{"x": trid.trid_argmin(x.size), "calls": clean}
                                 for x in cases["starts"]], None))
    kind, p, cases = planned("hw1_autograd", "trid", "gradient", hw1)
    out.append((kind, p, cases, {"values": [trid.trid_grad(x) for x in cases["xs"]],
                                 "calls": clean}, "calls"))
    kind, p, cases = planned("hw1_autograd", "decaying_cosine", "gradient", hw1)
    out.append((kind, p, cases, {"values": [dc.df(x) for x in cases["xs"]], "calls": clean},
                "calls"))
    kind, p, cases = planned("hw2_torch", "numpy_gradients", "by_hand", hw2)
    c = cases["sets"][0]
    out.append((kind, p, cases, {"grad": list(ng.mse_grad(c["a"], c["b"], c["x"], c["y"])),
                                 "calls": {"counts": {"gradient": 0}, "called": {}}}, "calls"))
    return out


def with_evidence(reply, key, report):
    """The reply with every evidence report replaced (report None: removed)."""
    if key is None:  # minimize: one report per start
        return [{k: v for k, v in r.items() if k != "calls"} | (
            {} if report is None else {"calls": report}) for r in reply]
    return {k: v for k, v in reply.items() if k != key} | (
        {} if report is None else {key: report if key != "calls" or not isinstance(
            reply[key], list) else [report for _ in reply[key]]})


REPORTS = st.one_of(
    st.none(), st.integers(), st.text(max_size=5),
    st.fixed_dictionaries({"counts": st.dictionaries(
        st.sampled_from(["solver", "gradient", "trid_grad", "x"]),
        st.one_of(st.integers(-5, 10 ** 6), st.floats(allow_nan=False), st.text(max_size=3))),
        "called": st.dictionaries(st.sampled_from(["numpy.linalg.lstsq", "autograd.core.trace",
                                                   "x"]), st.integers(0, 9))}))


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(report=REPORTS)
def test_no_evidence_report_scores_above_the_parents_own_verdict(root, report):
    """For every kind with a "how" rule: whatever the child reports as evidence (a forgery
    included), the score is at most what the same reply earns with no evidence at all."""
    for kind, p, cases, reply, key in correct_replies(root):
        without = fraction(kind, p, cases, with_evidence(reply, key, None))
        assert fraction(kind, p, cases, with_evidence(reply, key, report)) <= without, kind.key()


def test_honest_evidence_of_a_closed_form_costs_the_points(root):
    """Evidence still takes away: the honest call log of lstsq or of a hand-typed gradient."""
    for kind, p, cases, reply, key in correct_replies(root):
        assert fraction(kind, p, cases, reply) == 1.0, kind.key()
        shows = {"counts": {"solver": 1, "gradient": 0, "trid_grad": 0},
                 "called": {"numpy.linalg.lstsq": 1, "autograd.core.trace": 3}}
        if kind.key().endswith("by_hand"):
            shows["counts"]["gradient"] = 3
        assert fraction(kind, p, cases, with_evidence(reply, key, shows)) == 0.0, kind.key()


@pytest.mark.parametrize("extra, message", [
    ("import numpy as np\n_KEPT = {'f': np.linalg.lstsq}\n"
     "def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):\n"
     "    return _KEPT['f'](add_bias_column(x_ND), y_N, rcond=None)[0]\n", "lstsq"),
    ("import numpy as np\n"
     "def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):\n"
     "    q, r = np.linalg.qr(add_bias_column(x_ND))\n"
     "    return back_substitute(r, q.T @ y_N)\n", "qr"),
])
def test_a_closed_form_in_the_graded_source_loses_the_fit_whatever_the_child_reports(
        root, extra, message):
    source = reference_source(root, "hw1_autograd", HW1[:3][::-1], extra)
    kind, p, cases = planned("hw1_autograd", "linreg_bias", "fit", source)
    forged = {"counts": {"solver": 0, "gradient": 1000}, "called": {}}
    reply = {"fits": [lr.least_squares(c["x"], c["y"]) for c in cases["sets"]],
             "calls": [forged for _ in cases["sets"]]}
    with pytest.raises(Fail, match=message) as failed:
        kind.verify(p, cases, reply)
    assert failed.value.fraction == 0
    assert any(message in f for f in kind.flags(p, cases, reply))


def test_call_log_records_where_a_watched_descent_started(tmp_path):
    """The first point trid or trid_grad saw (autograd's box unwrapped): a descent that did
    not start at init_x_D is flagged for review, never deducted (it is a heuristic)."""
    ns = namespace_of('''
        import autograd
        import autograd.numpy as ag_np
        import numpy as np

        def trid(x_D):
            return ag_np.sum((x_D - 1.0) ** 2) - ag_np.sum(x_D[1:] * x_D[:-1])

        def trid_grad(x_D):
            return autograd.grad(trid)(x_D)

        def minimize_trid(init_x_D):
            x_D = np.array([2.0, 2.0])        # the known minimiser, not init_x_D
            for _ in range(3):
                x_D = x_D - 0.4 * trid_grad(x_D)
            return x_D
    ''', tmp_path)
    with CallLog(GRADIENTS, ns, watch=trid.WATCHED) as log:
        ns["minimize_trid"](np.array([1.0, -1.0]))
    report = log.report()
    assert report["first"] == [2.0, 2.0] and evidence.first_point(report).tolist() == [2.0, 2.0]
    start = np.array([1.0, -1.0])
    assert "not at init_x_D" in trid._start_flags([start], [report])[0]
    assert trid._start_flags([np.array([2.0, 2.0])], [report]) == []
    assert trid._start_flags([start], [{"first": ["x"]}]) == []   # malformed: proves nothing
