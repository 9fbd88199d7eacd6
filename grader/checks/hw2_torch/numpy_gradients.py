"""Checks of exercise numpy_gradients: a line, its MSE, the hand-derived gradient, GD.

Everything here is float64 numpy on both sides; the student's functions may
not use autograd or torch (checked on their source, helpers included).
"""
import numpy as np

from grader.checks import hints as known
from grader.checks.fail import Fail, fmt
from grader.checks import evidence
from grader.checks.numerics import as_list, as_scalar, assert_all_close, memo
from grader.checks.registry import CheckKind, Params, register
from grader.checks.sourcescan import source_flags
from grader.checks.hw2_torch.common import quiet
from grader.checks.hw2_torch.data import noisy_line

FORBIDDEN_NAMES = {"backward"}     # a tensor's .backward() on a library object
FORBIDDEN_MODULES = {"torch", "autograd", "jax", "tensorflow"}
FUNCTIONS = ("lin", "mse_loss", "mse_loss_grad", "fit_line_numpy")


def mse(a, b, x, y):
    return float(np.mean((a * x + b - y) ** 2))


def mse_grad(a, b, x, y):
    r = a * x + b - y
    return np.array([2.0 * np.mean(r * x), 2.0 * np.mean(r)])


@memo
def exact_gd(x, y, lr, n_steps, start=(0.0, 0.0), path=False):
    """The (a, b) that n_steps of simultaneous gradient descent reach: shape (2,).
    path=True: the list of the n_steps + 1 points after 0, 1, ..., n_steps steps."""
    ab = np.array(start, dtype=np.float64)
    points = [ab]
    for _ in range(n_steps):
        ab = ab - lr * mse_grad(ab[0], ab[1], x, y)
        if path:
            points.append(ab)
    return points if path else ab


@memo
def _sequential_gd(x, y, lr, n_steps):
    """The common slip: b's gradient taken at the already-updated a."""
    a = b = 0.0
    for _ in range(n_steps):
        a = a - lr * mse_grad(a, b, x, y)[0]
        b = b - lr * mse_grad(a, b, x, y)[1]
    return np.array([a, b])


class PointParams(Params):
    sets: list[list[float]] = [[3.0, 8.0, 10], [-1.0, 1.0, 7], [0.5, -2.0, 25], [0.0, 0.0, 4]]
    x_scale: float = 2.0
    rtol: float = 1e-10
    atol: float = 1e-12


def _point_cases(p, rng):
    out = []
    for a, b, n in p.sets:
        x = rng.uniform(-p.x_scale, p.x_scale, int(n))
        y = rng.normal(3.0 * x + 8.0, 1.0)
        out.append({"a": float(a), "b": float(b), "x": x, "y": y})
    return out


def _label(c):
    return f"a = {c['a']:g}, b = {c['b']:g}, N = {c['x'].size}"


@register
class Lin(CheckKind):
    """lin(a, b, x) equals a * x + b elementwise."""
    name = "lin"
    Params = PointParams

    def cases(self, p, rng):
        return {"sets": _point_cases(p, rng)}

    @staticmethod
    def probe(sub, cases):
        return [sub.lin(c["a"], c["b"], c["x"].copy()) for c in cases["sets"]]

    @quiet
    def verify(self, p, cases, got):
        from grader.checks.numerics import as_array
        sets = cases["sets"]
        vals = [as_array(g, (c["x"].size,), f"lin at {_label(c)}", allow_squeeze=True)
                for g, c in zip(as_list(got, len(sets), "lin"), sets)]
        assert_all_close(vals, [c["a"] * c["x"] + c["b"] for c in sets],
                         [_label(c) for c in sets], "lin(a, b, x)", p.rtol, p.atol,
                         hints=[([c["b"] * c["x"] + c["a"] for c in sets],
                                 "a is the slope and b the intercept: a * x + b.")])


@register
class MseLoss(CheckKind):
    """mse_loss(a, b, x, y) equals the mean of the squared residuals."""
    name = "mse_loss"
    Params = PointParams

    def cases(self, p, rng):
        return {"sets": _point_cases(p, rng)}

    @staticmethod
    def probe(sub, cases):
        return [sub.mse_loss(c["a"], c["b"], c["x"].copy(), c["y"].copy()) for c in cases["sets"]]

    @quiet
    def verify(self, p, cases, got):
        sets = cases["sets"]
        vals = [as_scalar(g, f"mse_loss at {_label(c)}")
                for g, c in zip(as_list(got, len(sets), "mse_loss"), sets)]
        res = [c["a"] * c["x"] + c["b"] - c["y"] for c in sets]
        assert_all_close(vals, [float(np.mean(r ** 2)) for r in res], [_label(c) for c in sets],
                         "mse_loss", p.rtol, p.atol,
                         hints=[([float(np.sum(r ** 2)) for r in res],
                                 "That is the sum of squared residuals: take the mean."),
                                ([float(np.sqrt(np.mean(r ** 2))) for r in res],
                                 "That is the root of the mean squared error: drop the sqrt."),
                                ([float(np.mean(np.abs(r))) for r in res],
                                 "That is the mean absolute error: square the residuals."),
                                ([float(np.mean(r)) ** 2 for r in res],
                                 "Square each residual first, then take the mean.")])


@register
class Gradient(CheckKind):
    """mse_loss_grad returns (dL/da, dL/db) equal to the analytic partial derivatives."""
    name = "gradient"
    Params = PointParams

    def cases(self, p, rng):
        return {"sets": _point_cases(p, rng)}

    @staticmethod
    def probe(sub, cases):
        return [sub.mse_loss_grad(c["a"], c["b"], c["x"].copy(), c["y"].copy())
                for c in cases["sets"]]

    @quiet
    def verify(self, p, cases, got):
        sets = cases["sets"]
        grads = [_grad_pair(g, c) for g, c in zip(as_list(got, len(sets), "mse_loss_grad"), sets)]
        exact = [mse_grad(c["a"], c["b"], c["x"], c["y"]) for c in sets]
        hints = [([e / 2 for e in exact], "Missing the factor 2 from d/dr r^2 = 2 r."),
                 ([-e for e in exact], "The sign is flipped: the residual is (a x + b) - y, "
                                       "and d/da of it is +x."),
                 ([e[::-1] for e in exact], "The two are swapped: return (dL_da, dL_db)."),
                 ([e * c["x"].size for e, c in zip(exact, sets)],
                  "That is the gradient of the SUM of squares: the loss is a mean, divide by N."),
                 ([np.array([e[1], e[1]]) for e in exact],
                  "dL/da needs the chain rule's extra factor x_n inside the mean.")]
        assert_all_close(grads, exact, [_label(c) for c in sets], "(dL_da, dL_db)",
                         p.rtol, p.atol, hints)


def _grad_pair(g, c):
    if not isinstance(g, (list, tuple)) or len(g) != 2:
        raise Fail(f"mse_loss_grad at {_label(c)} should return a pair (dL_da, dL_db), got "
                   f"{type(g).__name__}.", status="error")
    return np.array([as_scalar(v, f"mse_loss_grad at {_label(c)}") for v in g])


@register
class ByHand(CheckKind):
    """The four functions (and helpers they call) use no autograd and no torch,
    and mse_loss_grad still gives the right numbers.

    Points come from mse_loss_grad's numbers (parent); the parent's scan of the
    graded source and runtime evidence (which can only take away) remove them."""
    name = "by_hand"
    Params = PointParams

    def flags(self, p, cases, got):
        calls = got.get("calls") if isinstance(got, dict) else None
        called = sorted((calls.get("called") or {}).items()) if isinstance(calls, dict) \
            and isinstance(calls.get("called"), dict) else []
        return ([f"autodiff: {', '.join(f'{k} ({v}x)' for k, v in called)} called while "
                 "mse_loss_grad and fit_line_numpy ran (run-time evidence)"] if called else []) \
            + source_flags(cases.get("_source"), FUNCTIONS, FORBIDDEN_NAMES, FORBIDDEN_MODULES,
                           label="autodiff")

    def cases(self, p, rng):
        return {"sets": _point_cases(p, rng)[:1]}

    @staticmethod
    def probe(sub, cases):
        from grader.checks.evidence import GRADIENTS, CallLog
        c = cases["sets"][0]
        with CallLog(GRADIENTS, sub.namespace) as log:
            grad = sub.mse_loss_grad(c["a"], c["b"], c["x"].copy(), c["y"].copy())
            try:  # the fit is judged by its own check: here only what it calls counts
                sub.fit_line_numpy(c["x"].copy(), c["y"].copy(), lr=0.01, n_steps=3)
            except Exception:  # noqa: BLE001 - a stub or a broken fit
                pass
        return {"grad": grad, "calls": log.report()}

    @quiet
    def verify(self, p, cases, got):
        if not isinstance(got, dict):
            raise Fail("unexpected probe result", status="error")
        source = cases.get("_source")
        hits = source.find_calls(FUNCTIONS, FORBIDDEN_NAMES, FORBIDDEN_MODULES) if source else []
        if hits:
            raise Fail(f"{hits[0]} is automatic differentiation. In this exercise the "
                       "gradient is derived by hand and written with numpy: no autograd, no "
                       "torch.")
        autodiff = evidence.count(got.get("calls"), "gradient")
        if autodiff:  # a well-formed report that shows autodiff calls (None: proves nothing)
            called = ", ".join(f"{k} ({v}x)" for k, v in sorted(
                (got["calls"].get("called") or {}).items()))
            raise Fail(f"while mse_loss_grad and fit_line_numpy ran, an automatic "
                       f"differentiation entry point was called: {called}. In this exercise the "
                       "gradient is derived by hand and written with numpy: no autograd, no torch "
                       "(not in a helper or another module either).")
        c = cases["sets"][0]
        grad = _grad_pair(got.get("grad"), c)
        assert_all_close([grad], [mse_grad(c["a"], c["b"], c["x"], c["y"])], [_label(c)],
                         "(dL_da, dL_db)", p.rtol, p.atol)


def _fit_pair(g):
    if not isinstance(g, (list, tuple)) or len(g) != 2:
        raise Fail(f"fit_line_numpy should return a pair (a, b), got {type(g).__name__}.",
                   status="error")
    return g


class FitParams(Params):
    # [n_steps, lr] pairs: a few exact steps, then the default call
    runs: list[list[float]] = [[0, 0.1], [1, 0.1], [2, 0.1], [5, 0.05]]
    use_defaults: bool = True          # also call fit_line_numpy(x, y): lr=0.1, n_steps=1000
    n: int = 50
    a: float = 3.0
    b: float = 8.0
    noise_sd: float = 0.3
    low: float = 0.0
    high: float = 1.0
    rtol: float = 1e-9
    atol: float = 1e-12


@register
class Fit(CheckKind):
    """fit_line_numpy reproduces gradient descent from (0, 0) exactly: after 0,
    1, 2, 5 steps and with the default lr = 0.1, n_steps = 1000."""
    name = "fit"
    Params = FitParams

    def cases(self, p, rng):
        x, y = noisy_line(p.seed, p.n, p.a, p.b, p.noise_sd, p.low, p.high)
        runs = [{"n_steps": int(n), "lr": float(lr)} for n, lr in p.runs]
        return {"x": x, "y": y, "runs": runs, "defaults": p.use_defaults}

    @staticmethod
    def probe(sub, cases):
        x, y = cases["x"], cases["y"]
        out = [sub.fit_line_numpy(x.copy(), y.copy(), lr=r["lr"], n_steps=r["n_steps"])
               for r in cases["runs"]]
        if cases["defaults"]:
            out.append(sub.fit_line_numpy(x.copy(), y.copy()))
        return out

    @quiet
    def verify(self, p, cases, got):
        x, y = cases["x"], cases["y"]
        runs = list(cases["runs"]) + ([{"n_steps": 1000, "lr": 0.1}] if cases["defaults"] else [])
        got = as_list(got, len(runs), "fit_line_numpy")
        fits = [np.array([as_scalar(v, "fit_line_numpy") for v in _fit_pair(g)]) for g in got]
        labels = [f"lr = {r['lr']:g}, n_steps = {r['n_steps']}" for r in runs]
        exact = [exact_gd(x, y, r["lr"], r["n_steps"]) for r in runs]

        def hints():   # only on a failure: each slip costs as much as the right answer
            paths = [exact_gd(x, y, r["lr"], r["n_steps"] + 1, path=True) for r in runs]
            counted = known.update_count_slip(fits, paths, [r["n_steps"] for r in runs],
                                              "n_steps", atol=p.atol)
            return ([counted] if counted else []) + [
                ([exact_gd(x, y, -r["lr"], r["n_steps"]) for r in runs],
                 "You stepped uphill: the update is a <- a - lr * dL/da."),
                ([_sequential_gd(x, y, r["lr"], r["n_steps"]) for r in runs],
                 "b's gradient was taken at the new a: compute both partial derivatives "
                 "at the old point, then update both.")]
        # A known slip names itself first (public and hidden twins alike): one update too
        # many also moves the n_steps = 0 run away from the start point.
        if fits and np.any(fits[0] != 0) and runs[0]["n_steps"] == 0 and not known.match(
                fits, hints, atol=p.atol):
            raise Fail(f"with n_steps = 0 fit_line_numpy should return the start point (0, 0); "
                       f"got {fmt(fits[0])}. Start from a = 0.0, b = 0.0.")
        assert_all_close(fits, exact, labels, "fit_line_numpy's (a, b)", p.rtol, p.atol, hints)
