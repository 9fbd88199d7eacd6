"""Unit tests of hw2_torch's trusted parent-side math and verdicts.

The replays the verifiers compare against (SGD over recorded batches, Adam,
the clamped NLL and its gradient) are checked here against torch itself and
against central differences, so a full-marks reference is not the only
evidence that the grader's numbers are right.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks.hw2_torch import logistic_nll as ln
from grader.checks.hw2_torch import minibatch_sgd as mb
from grader.checks.hw2_torch import polynomial_l1 as pl
from grader.checks.hw2_torch import torch_gd as tg
from grader.checks.fail import Fail

from tests.conftest import examples


# ------------------------------------------------------------ order decoding
@settings(max_examples=examples(200), deadline=None)
@given(st.integers(1, mb.MAX_ENCODED_N).flatmap(
    lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1), min_size=1))))
def test_decode_batch_recovers_any_set_of_examples(case):
    n, idx = case
    idx = sorted(idx)
    loss = float(np.mean((2.0 ** np.arange(n))[idx] ** 2))
    assert mb.decode_batch(loss, n, prefer=[len(idx)]) == idx
    assert mb.decode_batch(loss, n) is not None


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(1, mb.MAX_ENCODED_N).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n - 1), min_size=1, max_size=8))))
def test_decode_batch_explains_batches_with_repeats(case):
    """Sampling with replacement: exact when the batch size is among the preferred."""
    n, idx = case
    if np.bincount(idx).max() > 3:
        return
    loss = float(np.mean((2.0 ** np.arange(n))[idx] ** 2))
    assert mb.decode_batch(loss, n, prefer=[len(idx)]) == sorted(idx)


def test_decode_batch_rejects_a_sum_of_squares():
    y = 2.0 ** np.arange(10)
    assert mb.decode_batch(float(np.sum(y[[1, 4, 7]] ** 2)) + 0.5, 10) is None


def _epochs(n, bs, n_epochs, rng):
    out = []
    for _ in range(n_epochs):
        perm = list(rng.permutation(n))
        out += [sorted(perm[i:i + bs]) for i in range(0, n, bs)]
    return out


def test_check_epochs_accepts_passes_over_the_data():
    mb.check_epochs(_epochs(12, 5, 3, np.random.default_rng(0)), 12, 5, 3)


def test_check_epochs_names_the_randint_slip():
    rng = np.random.default_rng(1)
    batches = [sorted(rng.integers(1, 12, 5)) for _ in range(9)]
    with pytest.raises(Fail, match="randint"):
        mb.check_epochs(batches, 12, 5, 3)


def test_check_epochs_rejects_a_dropped_last_batch():
    batches = [b for b in _epochs(12, 5, 3, np.random.default_rng(2)) if len(b) == 5]
    with pytest.raises(Fail, match="updates"):
        mb.check_epochs(batches, 12, 5, 3)


# --------------------------------------------------------------- torch GD
def test_verify_run_accepts_exact_and_names_forgotten_zeroing():
    x = np.stack([np.linspace(-1, 1, 9), np.ones(9)], axis=1)
    y = x @ np.array([3.0, 2.0]) + 0.1 * np.cos(np.arange(9))
    a, losses = tg.exact_gd(x, y, 0.1, 6)
    tg.verify_run((a, list(losses)), x, y, 0.1, 6, "fit", 1e-10, 1e-12)
    a_acc, l_acc = tg.exact_gd(x, y, 0.1, 6, accumulate=True)
    with pytest.raises(Fail, match="zero `a.grad`"):
        tg.verify_run((a_acc, list(l_acc)), x, y, 0.1, 6, "fit", 1e-10, 1e-12)
    with pytest.raises(Fail, match="float64"):
        tg.verify_run((a.astype(np.float32), list(losses)), x, y, 0.1, 6, "fit", 1e-10, 1e-12)


def test_verify_run_names_one_update_too_many_and_too_few():
    """The losses are exact, the returned a is one update off: both directions are named
    (the old verifier named only the one too few)."""
    x = np.stack([np.linspace(-1, 1, 9), np.ones(9)], axis=1)
    y = x @ np.array([3.0, 2.0]) + 0.1 * np.cos(np.arange(9))
    losses = list(tg.exact_gd(x, y, 0.1, 6)[1])
    for n_updates, says in ((7, "One update too many"), (5, "One update too few")):
        with pytest.raises(Fail, match=says):
            tg.verify_run((tg.exact_gd(x, y, 0.1, n_updates)[0], losses), x, y, 0.1, 6, "fit",
                          1e-10, 1e-12)


def test_verify_run_names_a_ones_column_the_data_did_not_have():
    x, y = tg.line_with_ones(5, 12, constant=False)
    ones = np.column_stack([x[:, 0], np.ones(12)])
    a, losses = tg.exact_gd(ones, y, 0.1, 4)
    with pytest.raises(Fail, match="second column replaced by ones"):
        tg.verify_run((a, list(losses)), x, y, 0.1, 4, "fit", 1e-10, 1e-12)


def test_gd_path_ends_where_exact_gd_does():
    x, y = tg.line_with_ones(5, 12, constant=False)
    assert not np.all(x[:, 1] == 1.0)        # the data without the usual constant column
    np.testing.assert_array_equal(tg.gd_path(x, y, 0.2, 9)[-1], tg.exact_gd(x, y, 0.2, 9)[0])


def test_a_2_still_attached_fails_for_both_exercises_losses_alone_do_not():
    from grader.checks.hw2_torch.common import require_detached_result
    for what in ("fit_linear_torch", "sgd_linear"):
        with pytest.raises(Fail, match="still attached"):
            require_detached_result({"value": [0, []], "attached": ["[0]"]}, what)
        require_detached_result({"value": [0, []], "attached": ["[1][0]"]}, what)
        require_detached_result({"value": [0, []], "attached": []}, what)


def _fit_iterates_reply(x, y, runs, stop_tol=None):
    """What fit_logistic would return for each run: exact GD, or GD that stops once the
    loss improves by less than stop_tol (the early-stopping slip)."""
    out = []
    for r in runs:
        path = ln.exact_fit(x, y, r["lr"], r["n_iters"], path=True)
        k = r["n_iters"]
        if stop_tol is not None:
            losses = [ln.nll_value(ln.sigmoid(a * x + b), y) for a, b in path]
            k = next((t for t in range(1, len(path)) if losses[t - 1] - losses[t] < stop_tol), k)
        out.append({"value": [float(path[k][0]), float(path[k][1])], "attached": []})
    return out


def test_fit_iterates_runs_long_enough_to_expose_early_stopping():
    kind, p = ln.FitIterates(), ln.IterParams()
    cases = kind.cases(p, np.random.default_rng(0))
    kind.verify(p, cases, _fit_iterates_reply(cases["x"], cases["y"], cases["runs"]))
    with pytest.raises(Fail, match="stopped early"):
        kind.verify(p, cases, _fit_iterates_reply(cases["x"], cases["y"], cases["runs"], 1e-6))


def test_fit_iterates_names_a_jump_to_the_optimum_in_long_runs():
    kind, p = ln.FitIterates(), ln.IterParams()
    cases = kind.cases(p, np.random.default_rng(0))
    got = _fit_iterates_reply(cases["x"], cases["y"], cases["runs"])
    best = ln.newton_logistic(cases["x"], cases["y"])
    long_runs = [i for i, r in enumerate(cases["runs"]) if r["n_iters"] >= 200]
    assert long_runs                       # the public check has a long run
    for i in long_runs:
        got[i] = {"value": [float(best[0]), float(best[1])], "attached": []}
    with pytest.raises(Fail, match="maximum-likelihood point itself"):
        kind.verify(p, cases, got)


# ---------------------------------------------- replays against torch itself
@pytest.fixture(scope="module")
def torch():
    """torch, imported by the tests that use it (not at collection: every xdist worker
    collects this module, and importing torch costs seconds of CPU)."""
    return pytest.importorskip("torch")


def _torch_history(torch, opt_name, loss, phi_x, y, batches_by_epoch, lr, degree, split=False):
    model = pl.grader_model(degree, split)
    fn = pl.loss_function(loss)
    opt = (torch.optim.Adam(model.parameters(), lr=lr) if opt_name == "adam"
           else torch.optim.SGD(model.parameters(), lr=lr))
    xt, yt = torch.tensor(phi_x), torch.tensor(y)
    def row():
        return torch.cat([q.detach().reshape(-1) for q in model.parameters()]).numpy().copy()
    rows = [row()]
    for e, batches in enumerate(batches_by_epoch):
        for g in opt.param_groups:
            g["lr"] = lr / (e + 1) if opt_name == "sgd" else lr
        for idx in batches:
            opt.zero_grad()
            fn(model(xt[idx]), yt[idx]).backward()
            opt.step()
            rows.append(row())
    return np.array(rows)


@pytest.mark.slow
@pytest.mark.parametrize("split", [False, True], ids=["one_w", "split_params"])
@pytest.mark.parametrize("opt_name,loss", [("sgd", "l1"), ("sgd", "mse"), ("adam", "l1"),
                                           ("adam", "mse")])
def test_replays_match_torch(torch, opt_name, loss, split):
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 17)
    y = 1 + 3 * x - 4 * x ** 2 + 0.7 * rng.standard_normal(17)
    epochs = [[list(b) for b in np.array_split(rng.permutation(17), 4)] for _ in range(3)]
    replay = pl.replay_adam if opt_name == "adam" else pl.replay_sgd
    ours = replay(pl.features(x, 2), y, epochs, 0.3, loss)
    theirs = _torch_history(torch, opt_name, loss, x, y, epochs, 0.3, 2, split)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13)


@pytest.mark.slow   # importing torch takes seconds (its sibling above is slow too)
def test_logistic_replay_matches_torch(torch):
    x, y = ln.thresholded_line(3, 50)
    a = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    xt, yt = torch.tensor(x), torch.tensor(y)
    for _ in range(7):
        p = torch.clamp(torch.sigmoid(a * xt + b), 1e-5, 1 - 1e-5)
        (-(yt * p.log() + (1 - yt) * (1 - p).log()).mean()).backward()
        with torch.no_grad():
            a -= 2.0 * a.grad
            b -= 2.0 * b.grad
            a.grad.zero_()
            b.grad.zero_()
    np.testing.assert_allclose(ln.exact_fit(x, y, 2.0, 7), [a.item(), b.item()], rtol=1e-12)


# ------------------------------------------------------------- the NLL
@settings(max_examples=examples(100), deadline=None)
@given(st.lists(st.tuples(st.floats(0.001, 0.999), st.booleans()), min_size=1, max_size=20))
def test_nll_gradient_matches_central_differences(pairs):
    y_hat = np.array([p for p, _ in pairs])
    y = np.array([float(t) for _, t in pairs])
    h = 1e-7
    fd = np.array([(ln.nll_value(y_hat + h * e, y) - ln.nll_value(y_hat - h * e, y)) / (2 * h)
                   for e in np.eye(y.size)])
    np.testing.assert_allclose(ln.nll_grad(y_hat, y), fd, rtol=1e-5, atol=1e-6)


def test_nll_is_clamped_and_positive():
    assert np.isfinite(ln.nll_value(np.array([0.0, 1.0]), np.array([1.0, 0.0])))
    assert ln.nll_value(np.array([0.3, 0.8]), np.array([0.0, 1.0])) > 0
    np.testing.assert_array_equal(ln.nll_grad(np.array([0.0, 1.0]), np.array([1.0, 0.0])), 0.0)


def test_lad_fit_is_no_worse_than_nearby_points():
    x, y = pl.quadratic_with_outlier()
    phi = pl.features(x, 2)
    w = pl.lad_fit(phi, y)
    best = np.mean(np.abs(phi @ w - y))
    rng = np.random.default_rng(0)
    for _ in range(200):
        assert best <= np.mean(np.abs(phi @ (w + rng.normal(scale=1e-3, size=3)) - y)) + 1e-12


# ------------------------------------------------- the reference, end to end
@pytest.mark.slow
def test_reference_full_marks_and_silent(course, root, fork_servers):
    """Full marks, and torch writes nothing to stderr (nbgrader scores a cell
    that writes to stderr as failed)."""
    from grader.judge.grade import grade
    from grader.submission.locate import load_submission
    order = list(course.assignment("hw2_torch").exercises)
    rep = grade(load_submission(root / "solutions" / "hw2_torch", order=order), course, "hw2_torch",
                session_factory=fork_servers("hw2_torch"))
    assert rep.score == rep.max_score, [(c.name, c.message) for c in rep.checks if c.score < c.max_score]
    assert rep.output.strip() == ""


def test_parent_never_imports_torch(root):
    """Loading course.yml registers hw2_torch's kinds without importing torch:
    torch belongs to the child (preloaded once per worker), never the parent."""
    import subprocess
    import sys
    code = ("import sys; from grader.config import load_course; load_course(sys.argv[1]); "
            "import grader.checks.hw2_torch; assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code, str(root / "course.yml")], check=True, cwd=root)


def test_source_scan_finds_autodiff_imports_and_globals():
    """The parent's scan of numpy_gradients' functions: autodiff imported inside a function
    or bound to a global (`grad_fn = torch.autograd.grad`) is found; a class of the grader's
    own or numpy is not autodiff."""
    from grader.checks.hw2_torch import numpy_gradients as ng
    from grader.checks.sourcescan import GradedSource
    from grader.submission.load import Chunk

    def hits(code):
        src = GradedSource([Chunk("numpy_gradients.py", code, 1, "numpy_gradients")])
        return [h.name for h in src.find_calls(ng.FUNCTIONS, ng.FORBIDDEN_NAMES,
                                                ng.FORBIDDEN_MODULES)]

    assert hits("def mse_loss_grad(a, b, x, y):\n    import torch.autograd as ta\n"
                "    from jax import grad\n    return x\n") == ["import torch.autograd",
                                                             "import jax.grad"]
    assert hits("import numpy as np\ndef mse_loss_grad(a, b, x, y):\n"
                "    return np.mean(x), np.mean(y)\n") == []
    assert "torch.autograd" in hits("import torch\ngrad_fn = torch.autograd.grad\n"
                                    "def mse_loss_grad(a, b, x, y):\n    return grad_fn(x)\n")


# The parent's answers: they must not reach the child's probe-only copy of the checks.
HW2_EXPECTED_VALUE_HELPERS = {
    "numpy_gradients.py": ["mse", "mse_grad", "exact_gd"],
    "torch_gd.py": ["mse", "mse_grad", "exact_gd", "gd_path", "verify_run"],
    "minibatch_sgd.py": ["exact_sgd", "decode_batch", "check_epochs"],
    "polynomial_l1.py": ["features", "loss_grad", "replay_sgd", "replay_adam", "lad_fit"],
    "logistic_nll.py": ["nll_value", "nll_grad", "exact_fit", "newton_logistic"],
}


def test_probe_only_copy_drops_hw2_answers(tmp_path, root):
    probe_lib = pytest.importorskip("grader.execution.staging")
    import shutil
    shutil.copytree(root / "grader", tmp_path / "grader",
                    ignore=shutil.ignore_patterns("__pycache__"))
    probe_lib.strip_package(tmp_path / "grader" / "checks")
    for name, helpers in HW2_EXPECTED_VALUE_HELPERS.items():
        text = (tmp_path / "grader" / "checks" / "hw2_torch" / name).read_text()
        for helper in helpers:
            assert f"def {helper}(" not in text, f"{name} still defines {helper}"
        assert "def probe(" in text
