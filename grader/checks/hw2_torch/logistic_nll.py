"""Checks of exercise logistic_nll: the clamped negative log likelihood and the fit.

nll: values (float64 and float32, probabilities at and beyond the clamp
bounds) and gradients through autograd against the grader's formulas.
fit_logistic: exact float64 gradient-descent iterates from (0, 0) for a few
steps and for one run long enough to expose early stopping, then accuracy and NLL
on the course's thresholded-line data.
"""
import numpy as np

from grader.checks import hints as known
from grader.checks.fail import Fail, fmt
from grader.checks.numerics import (as_array, as_list, as_scalar, assert_all_close, close_mask,
                                    memo)
from grader.checks.registry import CheckKind, Params, register
from grader.checks.hw2_torch.common import attempt, pair, quiet, tensor, torch_ready, unwrap
from grader.checks.hw2_torch.data import thresholded_line

LOW, HIGH = 1e-5, 1 - 1e-5
MINUS_HINT = ("That is the mean log likelihood, not its negative: the loss to minimise is "
              "-mean(y log yhat + (1 - y) log(1 - yhat)). (The course notes' nll lacks this "
              "minus sign.)")


def nll_value(y_hat, y, low=LOW, high=HIGH):
    p = np.clip(y_hat, low, high)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def nll_grad(y_hat, y, low=LOW, high=HIGH):
    """d nll / d y_hat; zero where the clamp is active (as torch.clamp's backward)."""
    inside = (y_hat >= low) & (y_hat <= high)
    p = np.clip(y_hat, low, high)
    return np.where(inside, -(y / p - (1 - y) / (1 - p)) / y.size, 0.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@memo
def exact_fit(x, y, lr, n_iters, accumulate=False, sign=1.0, path=False):
    """(a, b) after n_iters GD steps on nll(sigmoid(a x + b), y) from (0, 0), shape (2,).
    sign=-1 models the slip sigmoid(-(a x + b)) = 1 / (1 + exp(+(a x + b))).
    path=True: the list of the n_iters + 1 points after 0, 1, ..., n_iters steps."""
    ab, g_sum = np.zeros(2), np.zeros(2)
    points = [ab]
    for _ in range(n_iters):
        z = ab[0] * x + ab[1]
        p = sigmoid(sign * z)
        inside = (p >= LOW) & (p <= HIGH)
        dz = sign * np.where(inside, p - y, 0.0) / y.size
        g = np.array([dz @ x, dz.sum()])
        g_sum = g_sum + g if accumulate else g
        ab = ab - lr * g_sum
        if path:
            points.append(ab)
    return points if path else ab


@memo
def newton_logistic(x, y, n_iters=50):
    """The maximum-likelihood (a, b) (unclamped), by Newton's method: parent only."""
    phi = np.stack([x, np.ones_like(x)], axis=1)
    w = np.zeros(2)
    for _ in range(n_iters):
        p = sigmoid(phi @ w)
        h = phi.T @ (phi * (p * (1 - p))[:, None]) + 1e-12 * np.eye(2)
        w = w - np.linalg.solve(h, phi.T @ (p - y))
    return w


# ------------------------------------------------------------------- nll
class NllParams(Params):
    sizes: list[int] = [6, 25, 40]
    edge_values: list[float] = [0.0, 1.0, 1e-7, 1.0 - 1e-9, 0.5, 1e-5]
    float32: bool = True          # also one float32 case: the result must stay float32
    rtol: float = 1e-10
    atol: float = 1e-12
    rtol32: float = 1e-5


def _nll_cases(p, rng):
    sets = []
    for k, n in enumerate(p.sizes):
        y_hat = rng.uniform(0.0, 1.0, n)
        if k == 0:
            y_hat[:len(p.edge_values)] = p.edge_values[:n]
        y = (rng.uniform(size=n) < 0.5).astype(np.float64)
        y[:2] = [1.0, 0.0]
        sets.append({"y_hat": y_hat, "y": y, "dtype": "float64"})
    if p.float32:
        y_hat = rng.uniform(0.02, 0.98, 12)
        sets.append({"y_hat": y_hat.astype(np.float32).astype(np.float64),
                     "y": (rng.uniform(size=12) < 0.5).astype(np.float64), "dtype": "float32"})
    return sets


def _nll_label(c):
    return f"N = {c['y'].size} ({c['dtype']})"


@register
class NllValues(CheckKind):
    """nll equals -mean(y log p + (1-y) log(1-p)) with p = clamp(y_hat, 1e-5, 1-1e-5),
    also at y_hat = 0 and 1; the result keeps y_hat's dtype (float64 or float32)."""
    name = "nll_values"
    Params = NllParams

    def cases(self, p, rng):
        return {"sets": _nll_cases(p, rng)}

    @staticmethod
    def probe(sub, cases):
        torch_ready()
        return [attempt(sub.nll, tensor(c["y_hat"], c["dtype"]), tensor(c["y"], c["dtype"]))
                for c in cases["sets"]]

    @quiet
    def verify(self, p, cases, got):
        sets = cases["sets"]
        got = as_list(got, len(sets), "nll")
        vals = []
        for c, g in zip(sets, got):
            v = unwrap(g, f"nll on {_nll_label(c)}")
            if isinstance(v, np.ndarray) and v.dtype.name != c["dtype"]:
                raise Fail(f"nll on {c['dtype']} inputs returned {v.dtype.name}: keep the dtype "
                           f"of y_hat (no torch.tensor(...) with a fixed dtype, no .double()).")
            if isinstance(v, (int, float, np.ndarray)) and not np.all(np.isfinite(v)):
                raise Fail(f"nll on {_nll_label(c)} gave {fmt(float(np.asarray(v).reshape(-1)[0]))}: "
                           "y_hat holds exact 0s and 1s, and log(0) = -inf. Clamp first: "
                           "torch.clamp(y_hat, 1e-5, 1 - 1e-5).")
            vals.append(as_scalar(v, f"nll on {_nll_label(c)}"))
        f64 = [k for k, c in enumerate(sets) if c["dtype"] == "float64"]
        exact = [nll_value(c["y_hat"], c["y"]) for c in sets]
        hints = [([-e for e in exact], MINUS_HINT),
                 ([e * c["y"].size for e, c in zip(exact, sets)],
                  "That is the sum over examples: take the mean."),
                 ([nll_value(c["y"], c["y_hat"]) for c in sets],
                  "The arguments are swapped: nll(y_hat, y), predictions first."),
                 ([nll_value(c["y_hat"], c["y"], 1e-7, 1 - 1e-7) for c in sets],
                  "Clamp to [1e-5, 1 - 1e-5] exactly, as the docstring says."),
                 ([nll_value(c["y_hat"], c["y"], 1e-5, 1.0) for c in sets],
                  "Clamp both ends: torch.clamp(y_hat, 1e-5, 1 - 1e-5).")]
        assert_all_close([vals[k] for k in f64], [exact[k] for k in f64],
                         [_nll_label(sets[k]) for k in f64], "nll(y_hat, y)", p.rtol, p.atol,
                         [([h[k] for k in f64], t) for h, t in hints], float32=True)
        f32 = [k for k, c in enumerate(sets) if c["dtype"] == "float32"]
        assert_all_close([vals[k] for k in f32], [exact[k] for k in f32],
                         [_nll_label(sets[k]) for k in f32], "nll(y_hat, y)", p.rtol32, 1e-6,
                         [([h[k] for k in f32], t) for h, t in hints])


@register
class NllGradient(CheckKind):
    """Autograd through nll gives d nll / d y_hat = -(y/p - (1-y)/(1-p)) / N inside
    the clamp range and 0 outside it."""
    name = "nll_gradient"
    Params = NllParams

    def cases(self, p, rng):
        sets = [c for c in _nll_cases(p, rng) if c["dtype"] == "float64"]
        for c in sets:   # keep away from the clamp's corners, where the derivative jumps
            c["y_hat"] = np.where(np.isin(c["y_hat"], [LOW, HIGH]), 0.3, c["y_hat"])
        return {"sets": sets}

    @staticmethod
    def probe(sub, cases):
        torch_ready()
        out = []
        for c in cases["sets"]:
            y_hat = tensor(c["y_hat"]).requires_grad_(True)

            def run():
                sub.nll(y_hat, tensor(c["y"])).backward()
                return y_hat.grad
            out.append(attempt(run))
        return out

    @quiet
    def verify(self, p, cases, got):
        sets = cases["sets"]
        got = as_list(got, len(sets), "nll(y_hat, y).backward()")
        raw = [unwrap(g, "nll(y_hat, y).backward()") for g in got]
        for c, r in zip(sets, raw):
            if isinstance(r, np.ndarray) and r.dtype.kind == "f" and not np.all(np.isfinite(r)):
                raise Fail(f"the gradient of nll on {_nll_label(c)} holds inf or NaN where y_hat "
                           "is exactly 0 or 1: clamp y_hat to [1e-5, 1 - 1e-5] before the log "
                           "(torch.clamp passes no gradient outside that range).")
        grads = [as_array(r, (c["y"].size,), f"y_hat.grad on {_nll_label(c)}")
                 for c, r in zip(sets, raw)]
        exact = [nll_grad(c["y_hat"], c["y"]) for c in sets]
        assert_all_close(grads, exact, [_nll_label(c) for c in sets], "d nll / d y_hat",
                         p.rtol, p.atol,
                         hints=[([-e for e in exact], MINUS_HINT),
                                ([e * c["y"].size for e, c in zip(exact, sets)],
                                 "N times too large: take the mean over examples, not the sum."),
                                ([nll_grad(c["y_hat"], c["y"], 1e-7, 1 - 1e-7) for c in sets],
                                 "Clamp to [1e-5, 1 - 1e-5] exactly: the gradient is zero "
                                 "wherever the clamp is active.")], float32=True)


# ------------------------------------------------------------ fit_logistic
class IterParams(Params):
    # [n_iters, lr]: a few exact steps, and one run long enough that the loss improves by
    # less than 1e-6 per step after ~380 steps and less than 1e-8 after ~670 (so a tolerance
    # stop, or a jump to the optimum for long runs, shows). Few, noisy examples keep the
    # long run cheap (CPU headroom) and converging fast enough to show it.
    runs: list[list[float]] = [[1, 0.5], [3, 0.5], [10, 2.0], [800, 2.0]]
    n: int = 20
    data_seed: int = 3
    noise_sd: float = 1.0
    rtol: float = 1e-9
    atol: float = 1e-12


@register
class FitIterates(CheckKind):
    """fit_logistic makes exact float64 GD steps on nll(sigmoid(a x + b), y) from (0, 0):
    n_iters of them, short runs and a long one (no early stop, no shortcut)."""
    name = "fit_iterates"
    Params = IterParams

    def cases(self, p, rng):
        x, y = thresholded_line(p.data_seed, p.n, noise_sd=p.noise_sd)
        return {"x": x, "y": y, "runs": [{"n_iters": int(n), "lr": float(lr)} for n, lr in p.runs]}

    @staticmethod
    def probe(sub, cases):
        torch_ready()
        return [attempt(sub.fit_logistic, tensor(cases["x"]), tensor(cases["y"]), r["lr"],
                        r["n_iters"]) for r in cases["runs"]]

    @quiet
    def verify(self, p, cases, got):
        runs, x, y = cases["runs"], cases["x"], cases["y"]
        got = as_list(got, len(runs), "fit_logistic")
        fits = [np.array([as_scalar(v, "fit_logistic's a, b")
                          for v in pair(unwrap(g, "fit_logistic"), "fit_logistic")]) for g in got]
        exact = [exact_fit(x, y, r["lr"], r["n_iters"]) for r in runs]
        assert_all_close(fits, exact, [f"lr = {r['lr']:g}, n_iters = {r['n_iters']}" for r in runs],
                         "(a, b)", p.rtol, p.atol, lambda: fit_slips(x, y, runs, fits, exact, p),
                         float32=True)


def fit_slips(x, y, runs, fits, exact, p):
    """The known slips of fit_logistic, [(wrong (a, b) per run, text)]: assert_all_close's
    hints, computed only on a failure (each costs as much as the right answer)."""
    paths = [exact_fit(x, y, r["lr"], r["n_iters"] + 1, path=True) for r in runs]
    counted = known.update_count_slip(fits, paths, [r["n_iters"] for r in runs], "n_iters",
                                      rtol=1e-8, atol=p.atol)
    optimum = newton_logistic(x, y)   # the long runs' shortcut: jump to the optimum
    jumped = [e if np.all(close_mask(f, e, p.rtol, p.atol)) else optimum
              for f, e in zip(fits, exact)]
    return ([counted] if counted else []) + [
        (jumped, "That is the maximum-likelihood point itself (Newton's method or a solver), "
                 "not where n_iters gradient-descent steps lead: make exactly n_iters updates, "
                 "however long the run."),
        ([exact_fit(x, y, r["lr"], r["n_iters"], accumulate=True) for r in runs],
         "The gradient grew between steps: did you zero a.grad and b.grad after the update?"),
        ([exact_fit(x, y, -r["lr"], r["n_iters"]) for r in runs],
         "You stepped uphill: with the NLL as the loss, the update is a <- a - lr * a.grad. "
         "(If nll lacks its minus sign, descending it climbs the likelihood's negative.)"),
        ([exact_fit(x, y, r["lr"], r["n_iters"], sign=-1.0) for r in runs],
         "Your probabilities are 1 / (1 + exp(+(a x + b))): the model is "
         "sigmoid(a x + b) = 1 / (1 + exp(-(a x + b))) (or torch.sigmoid)."),
        ([exact_fit(x, y, r["lr"] * y.size, r["n_iters"]) for r in runs],
         "The steps are N times too large: nll is the MEAN over examples, not the sum."),
        ([exact_fit(x, y, r["lr"], r["n_iters"])[::-1] for r in runs],
         "a and b are swapped: return (a, b), slope first.")]

class FitParams(Params):
    n: int = 1000
    data_seed: int = 0
    a: float = 3.0
    b: float = 8.0
    noise_sd: float = 0.3
    threshold: float = 10.0
    lr: float = 5.0
    n_iters: int = 1000
    max_nll_gap: float = 0.01        # NLL at most this above the maximum-likelihood fit's
    max_accuracy_gap: float = 0.01   # accuracy at most this below the maximum-likelihood fit's


@register
class Fit(CheckKind):
    """fit_logistic on the course's thresholded-line data reaches accuracy and NLL
    close to the maximum-likelihood fit (computed by the grader with Newton's method)."""
    name = "fit"
    Params = FitParams

    def target(self, p):
        return (f"fit_logistic(x_N, y_N, lr={p.lr:g}, n_iters={p.n_iters}) on the course's "
                f"data reaches an NLL at most {p.max_nll_gap:g} above the maximum-likelihood "
                f"fit's and an accuracy at most {p.max_accuracy_gap:g} below it (half the "
                "points if one of the two is missed).")

    def cases(self, p, rng):
        x, y = thresholded_line(p.data_seed, p.n, p.a, p.b, p.noise_sd, p.threshold)
        return {"x": x, "y": y, "lr": p.lr, "n_iters": p.n_iters}

    @staticmethod
    def probe(sub, cases):
        torch_ready()
        return attempt(sub.fit_logistic, tensor(cases["x"]), tensor(cases["y"]), cases["lr"],
                       cases["n_iters"])

    @quiet
    def verify(self, p, cases, got):
        x, y = cases["x"], cases["y"]
        a, b = (as_scalar(v, "fit_logistic's a, b") for v in pair(unwrap(got, "fit_logistic"),
                                                                  "fit_logistic"))
        best = newton_logistic(x, y)

        def scores(w):
            prob = sigmoid(w[0] * x + w[1])
            return nll_value(prob, y), float(np.mean((prob > 0.5) == (y > 0.5)))

        (nll_got, acc_got), (nll_best, acc_best) = scores((a, b)), scores(best)
        problems = []
        if nll_got > nll_best + p.max_nll_gap:
            problems.append(f"the NLL is {nll_got:.4f}, the best possible {nll_best:.4f} "
                            f"(allowed: up to {nll_best + p.max_nll_gap:.4f})")
        if acc_got < acc_best - p.max_accuracy_gap:
            problems.append(f"the accuracy is {acc_got:.3f}, the best fit's {acc_best:.3f} "
                            f"(allowed: down to {acc_best - p.max_accuracy_gap:.3f})")
        if problems:
            hint = ("a has the opposite sign of the best fit's: the fit climbed the loss. nll must "
                    "be the NEGATIVE log likelihood, and the model sigmoid(a x + b) = "
                    "1 / (1 + exp(-(a x + b)))." if a * best[0] < 0 else
                    "Is the model sigmoid(a x + b), and does every step use fresh, zeroed "
                    "gradients?")
            raise Fail(f"fit_logistic(x_N, y_N, lr={p.lr:g}, n_iters={p.n_iters}) on N = {y.size} "
                       f"gave a = {a:.4g}, b = {b:.4g}: " + "; ".join(problems) + ". " + hint,
                       fraction=0.5 if len(problems) == 1 else 0.0)
