"""Checks of exercise linreg_bias: bias column, negative log likelihood, GD fit."""
import numpy as np

from grader.checks import hints as known
from grader.checks.fail import Fail, differing, fmt
from grader.checks.numerics import as_array, as_list, as_scalar, assert_all_close, rel_err
from grader.checks.registry import CheckKind, Params, register
from grader.checks import evidence
from grader.checks.sourcescan import CLOSED_FORM_SOLVERS, source_flags
from grader.checks.hw1_autograd.data import linear_toy, random_linear


def neg_log_lik(w, xt, y, sigma):
    return 0.5 / sigma ** 2 * float(np.sum((y - xt @ w) ** 2))


def neg_log_lik_grad(w, xt, y, sigma):
    return xt.T @ (xt @ w - y) / sigma ** 2


def least_squares(x_ND, y_N):
    """The exact optimum the student's GD must approach: shape (D + 1,)."""
    xt = np.hstack([x_ND, np.ones((x_ND.shape[0], 1))])
    return np.linalg.lstsq(xt, y_N, rcond=None)[0]


class BiasParams(Params):
    shapes: list[list[int]] = [[5, 2], [7, 1], [4, 3], [6]]


@register
class AddBias(CheckKind):
    """add_bias_column appends ones as the LAST column; (N,) counts as D = 1."""
    name = "add_bias_column"
    Params = BiasParams

    def cases(self, p, rng):
        return {"xs": [rng.normal(size=tuple(s)) for s in p.shapes]}

    @staticmethod
    def probe(sub, cases):
        return [sub.add_bias_column(x.copy()) for x in cases["xs"]]

    def verify(self, p, cases, got):
        got = as_list(got, len(cases["xs"]), "add_bias_column")
        for x, g in zip(cases["xs"], got):
            x2 = x.reshape(x.shape[0], -1)
            n, d = x2.shape
            xt = as_array(g, (n, d + 1), f"add_bias_column(x) for x of shape {x.shape}")
            if not np.all(xt[:, -1] == 1.0):
                hint = (" The ones are in the first column: the course puts the bias last, "
                        "wtilde = [w_1, ..., w_D, b]." if np.all(xt[:, 0] == 1.0) else "")
                raise Fail(f"for x of shape {x.shape}, the last column should be all ones; got "
                           f"{fmt(xt[:, -1])}.{hint}")
            if not np.array_equal(xt[:, :-1], x2):
                raise Fail(f"for x of shape {x.shape}, the first {d} column(s) should be x "
                           "unchanged.")


class LossParams(Params):
    sets: list[list[int]] = [[20, 2], [15, 1], [30, 4]]
    sigmas: list[float] = [0.1, 0.1, 0.7]
    rtol: float = 1e-10
    atol: float = 1e-10


def _loss_cases(p, rng):
    out = []
    for (n, d), sigma in zip(p.sets, p.sigmas):
        xt = np.hstack([rng.normal(scale=3, size=(n, d)), np.ones((n, 1))])
        out.append({"w": rng.normal(size=d + 1), "xt": xt, "y": rng.normal(scale=5, size=n),
                    "sigma": float(sigma)})
    return out


def _default_sigma_label(c):
    return f"N = {c['xt'].shape[0]}, E = {c['xt'].shape[1]}, sigma = {c['sigma']:g}"


@register
class Loss(CheckKind):
    """linreg_neg_log_lik equals 0.5 / sigma^2 * sum of squared residuals."""
    name = "neg_log_lik"
    Params = LossParams

    def cases(self, p, rng):
        return {"sets": _loss_cases(p, rng)}

    @staticmethod
    def probe(sub, cases):
        return [sub.linreg_neg_log_lik(c["w"], c["xt"], c["y"], sigma=c["sigma"])
                for c in cases["sets"]]

    def verify(self, p, cases, got):
        sets = cases["sets"]
        got = as_list(got, len(sets), "linreg_neg_log_lik")
        vals = [as_scalar(g, "linreg_neg_log_lik") for g in got]
        sse = [float(np.sum((c["y"] - c["xt"] @ c["w"]) ** 2)) for c in sets]
        hints = [([s / c["sigma"] ** 2 for s, c in zip(sse, sets)], "Missing the factor 0.5."),
                 ([0.5 * s for s in sse], "Missing the 1/sigma^2 factor."),
                 ([0.5 * s / c["sigma"] for s, c in zip(sse, sets)], "Divide by sigma squared, not sigma."),
                 ([0.5 * s / c["sigma"] ** 2 / c["y"].size for s, c in zip(sse, sets)],
                  "Use the sum of squared residuals, not the mean."),
                 ([-0.5 * s / c["sigma"] ** 2 for s, c in zip(sse, sets)],
                  "That is the log likelihood: return its negative.")]
        assert_all_close(vals, [neg_log_lik(c["w"], c["xt"], c["y"], c["sigma"]) for c in sets],
                         [_default_sigma_label(c) for c in sets], "linreg_neg_log_lik",
                         p.rtol, p.atol, hints)


@register
class LossGradient(CheckKind):
    """autograd differentiates linreg_neg_log_lik w.r.t. wtilde to X~^T (X~ w - y) / sigma^2."""
    name = "neg_log_lik_gradient"
    Params = LossParams

    def cases(self, p, rng):
        return {"sets": _loss_cases(p, rng)}

    @staticmethod
    def probe(sub, cases):
        import autograd
        grad = autograd.grad(sub.linreg_neg_log_lik)
        return [grad(c["w"], c["xt"], c["y"], c["sigma"]) for c in cases["sets"]]

    def verify(self, p, cases, got):
        sets = cases["sets"]
        got = as_list(got, len(sets), "autograd.grad(linreg_neg_log_lik)")
        grads = [as_array(g, (c["w"].size,), "the gradient") for g, c in zip(got, sets)]
        assert_all_close(grads, [neg_log_lik_grad(c["w"], c["xt"], c["y"], c["sigma"]) for c in sets],
                         [_default_sigma_label(c) for c in sets],
                         "autograd.grad(linreg_neg_log_lik)", p.rtol, p.atol)


class FitParams(Params):
    toy: bool = True              # the course notebook's data set (N=300, D=2)
    random_sets: list[list[int]] = []   # [N, D] pairs drawn by data.random_linear
    max_scale: float = 10.0
    rtol: float = 1e-4
    min_gradient_calls: int = 2   # autograd gradients per fit (GD takes one per step; a
                                  # perfectly conditioned problem converges in one)
    flat_d1: bool = False         # hand a D = 1 set over as shape (N,), as the docstring allows
    sigma: float = 0.0            # passed as fit_linreg_with_bias's sigma; 0: not passed (0.1)


FIT = "fit_linreg_with_bias"


@register
class Fit(CheckKind):
    """fit_linreg_with_bias reaches the least-squares optimum (relative parameter
    error <= rtol) by gradient descent: closed-form solvers earn nothing.

    Points come from the fit's accuracy (parent). They are taken away by the
    parent's scan of the graded source (a closed-form solver anywhere in the fit
    and its helpers) and by runtime evidence (a solver called, too few autograd
    gradients), which can only take away: see grader/checks/evidence.py."""
    name = "fit"
    Params = FitParams

    def target(self, p):
        return (f"fit_linreg_with_bias reaches the least-squares wtilde to a relative error of "
                f"{p.rtol:g}, by gradient descent with autograd gradients: at least "
                f"{p.min_gradient_calls} autograd gradients per fit and no closed-form solver "
                "or factorisation (solve, lstsq, inv, pinv, QR, Cholesky, or the vectors of "
                "SVD or eig) in the fit or its helpers (partial credit per data set).")

    def flags(self, p, cases, got):
        calls = got.get("calls") if isinstance(got, dict) else None
        return (evidence.flags(calls if isinstance(calls, list) else [], FIT)
                + source_flags(cases.get("_source"), [FIT], CLOSED_FORM_SOLVERS))

    def cases(self, p, rng):
        sets = [linear_toy()] if p.toy else []
        sets += [random_linear(rng, n, d, p.max_scale) for n, d in p.random_sets]
        if p.flat_d1:  # the optimum does not change; a student's (N, 1)-only code shows
            sets = [(x[:, 0] if x.shape[1] == 1 else x, y) for x, y in sets]
        kwargs = {"sigma": p.sigma} if p.sigma else {}
        return {"sets": [{"x": x, "y": y} for x, y in sets], "kwargs": kwargs}

    @staticmethod
    def probe(sub, cases):
        from grader.checks.evidence import GRADIENTS, SOLVERS, CallLog
        fits, calls = [], []
        for c in cases["sets"]:
            with CallLog(SOLVERS + GRADIENTS, sub.namespace) as log:
                fits.append(sub.fit_linreg_with_bias(c["x"].copy(), c["y"].copy(),
                                                     **cases.get("kwargs", {})))
            calls.append(log.report())
        return {"fits": fits, "calls": calls}

    def verify(self, p, cases, got):
        sets = cases["sets"]
        if not isinstance(got, dict) or not isinstance(got.get("fits"), list):
            raise Fail("unexpected probe result", status="error")
        _require_gradient_descent(p, sets, got, cases.get("_source"))
        misses = []
        for c, g in zip(sets, got["fits"]):
            n, d = _size(c["x"])
            w = as_array(g, (d + 1,), f"fit_linreg_with_bias on N = {n}, D = {d}"
                         + (" (x_ND of shape (N,))" if c["x"].ndim == 1 else ""),
                         allow_squeeze=True)
            best = least_squares(c["x"].reshape(n, d), c["y"])
            err = float(np.linalg.norm(w - best) / np.linalg.norm(best))
            if err > p.rtol:
                misses.append((err, n, d, w, best))
        if misses:
            err, n, d, w, best = max(misses, key=lambda m: m[0])
            hint = _fit_hint(w, best)
            best_text, w_text = differing(best, w)
            raise Fail(f"{len(misses)} of {len(sets)} data sets not fit closely enough. Worst: "
                       f"N = {n}, D = {d}: expected wtilde close to {best_text}, got {w_text} "
                       f"(relative error {err:.3g} > {p.rtol:g}). {hint}",
                       fraction=1 - len(misses) / len(sets))


def _require_gradient_descent(p, sets, got, source):
    """Fail if the graded source of the fit (helpers included) uses a closed-form solver
    (the parent's own scan: unforgeable), or if runtime evidence shows a solver call or
    too few autograd gradients (from the child: it can only take points away)."""
    hits = source.find_calls([FIT], CLOSED_FORM_SOLVERS) if source is not None else []
    if hits:
        raise Fail(f"{hits[0]} is a closed-form solver or factorisation. This exercise asks "
                   "for gradient descent with autograd gradients; no points for the fit "
                   "until it uses them.")
    calls = got.get("calls") if isinstance(got.get("calls"), list) else []
    for c, report in zip(sets, calls):
        n, d = _size(c["x"])
        solvers = evidence.solvers_called(report)
        if solvers:
            raise Fail(f"fit_linreg_with_bias on N = {n}, D = {d} called {', '.join(solvers)}: "
                       "a closed-form solver. This exercise asks for gradient descent with "
                       "autograd gradients; no points for the fit until it uses them.")
        grads = evidence.too_few(report, ["gradient"], p.min_gradient_calls)
        if grads is not None:
            raise Fail(f"fit_linreg_with_bias on N = {n}, D = {d} took {grads} gradient(s) from "
                       f"autograd; gradient descent takes one per step (full marks need at "
                       f"least {p.min_gradient_calls}). Use autograd.grad of linreg_neg_log_lik, "
                       "not a gradient written by hand or a closed form.")


def _size(x):
    """(N, D) of a fit's input: x_ND of shape (N, D), or (N,) for D = 1."""
    return (x.shape[0], 1) if x.ndim == 1 else x.shape


def _fit_hint(w, best):
    permuted = known.permutation_hint(w, best)
    if permuted:
        return permuted
    if rel_err(w[-1], best[-1]) > 0.5 and np.allclose(w[:-1], best[:-1], rtol=1e-2):
        return "The weights are right but the bias is off: is the bias the LAST entry?"
    if np.linalg.norm(w) > 10 * np.linalg.norm(best):
        return ("The iterates grew: the step size is too large for this data. Choose it "
                "from the data (e.g. 1 / largest eigenvalue of the Hessian X~^T X~ / sigma^2).")
    return ("Not converged: run more iterations, or pick the step size from the data "
            "(the loss's curvature scales with N and with the features' size).")
