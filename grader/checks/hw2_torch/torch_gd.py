"""Checks of exercise torch_gd: full-batch GD in torch on y = x @ a (MSE).

The grader passes float64 tensors and compares every loss and the end point
with its own float64 numpy iteration from a0 = (-1, 1); a forgotten
`a.grad.zero_()` shows up from the second loss on.
"""
import numpy as np

from grader.checks import hints as known
from grader.checks.fail import Fail, differing, fmt
from grader.checks.numerics import as_list, close_mask, memo
from grader.checks.registry import CheckKind, Params, register
from grader.checks.hw2_torch.common import (as_float64_array, as_loss_list, attempt, pair, quiet,
                     require_detached_losses, require_detached_result, tensor, torch_ready,
                     unwrap)
from grader.checks.hw2_torch.data import line_with_ones

A0 = (-1.0, 1.0)


def mse(a, x, y):
    return float(np.mean((x @ a - y) ** 2))


def mse_grad(a, x, y):
    return 2.0 * x.T @ (x @ a - y) / y.size


@memo
def exact_gd(x, y, lr, n_iters, a0=A0, accumulate=False, dtype=np.float64):
    """(end point, losses before each update) of full-batch GD on the MSE.

    accumulate=True models a forgotten zero_(): the gradient used at step t is
    the sum of all gradients so far. dtype=np.float32 models float32 work.
    """
    x, y = x.astype(dtype), y.astype(dtype)
    a, g_sum, losses = np.array(a0, dtype=dtype), np.zeros(2, dtype=dtype), []
    for _ in range(n_iters):
        losses.append(mse(a, x, y))
        g = mse_grad(a, x, y).astype(dtype)
        g_sum = g_sum + g if accumulate else g
        a = (a - dtype(lr) * g_sum).astype(dtype)
    return a.astype(np.float64), np.array(losses)


@memo
def gd_path(x, y, lr, n_updates, a0=A0):
    """The exact float64 GD points after 0, 1, ..., n_updates updates: n_updates + 1
    arrays of shape (2,) (path[k] after k updates; the hints' update-count replay)."""
    points = [np.array(a0, dtype=np.float64)]
    for _ in range(n_updates):
        points.append(points[-1] - lr * mse_grad(points[-1], x, y))
    return points


GREW_HINT = ("The gradient grew between steps: did you zero `a.grad` after the update? "
            "backward() adds into .grad, so without a.grad.zero_() every step uses the sum "
             "of all gradients so far.")


def verify_run(got, x, y, lr, n_iters, what, rtol, atol, a0=A0, count_name="n_iters"):
    """Shared by torch_gd and minibatch_sgd's full-batch check: (a_2, losses) against exact GD.
    count_name: the argument that sets the number of updates (hints say it)."""
    a_got, losses_got = pair(got, what)
    a = as_float64_array(a_got, (2,), f"{what}'s a_2")
    losses = as_loss_list(losses_got, n_iters, f"{what}'s losses")
    a_exact, l_exact = exact_gd(x, y, lr, n_iters, a0)
    start_loss = mse(np.array(a0), x, y)
    if n_iters and np.all(close_mask(losses[0], start_loss * y.size, 1e-6, atol)):
        raise Fail(f"{what}: losses[0] is {losses[0]:.6g}, N = {y.size} times the mean squared "
                   f"error at the start point ({start_loss:.6g}): the loss is the MEAN of the "
                   "squared errors, ((x @ a - y) ** 2).mean(), not their sum.")
    if not np.all(x[:, 1] == 1.0):   # data without the usual constant column
        ones = np.column_stack([x[:, 0], np.ones(y.size)])
        if n_iters and np.all(close_mask(losses, exact_gd(ones, y, lr, n_iters, a0)[1],
                                         1e-8, atol)):
            raise Fail(f"{what}: every loss is that of x_N2 with its second column replaced by "
                       "ones. Use x_N2 as given: its second column is usually, not always, a "
                       "column of ones (do not build your own or write ones into it).")
    if n_iters and not np.all(close_mask(losses[0], start_loss, rtol, atol)):
        raise Fail(f"{what}: losses[0] should be the loss at the start point a = {fmt(np.array(a0))}, "
                   f"{mse(np.array(a0), x, y):.6g}; got {losses[0]:.6g}. Start from a = "
                   f"{fmt(np.array(a0))} and record each loss before its update.")
    ok_losses = np.all(close_mask(losses, l_exact, rtol, atol))
    ok_a = np.all(close_mask(a, a_exact, rtol, atol))
    if ok_losses and ok_a:
        return
    slips = [  # ([losses, end point] of a known slip), what to say about it
        (exact_gd(x, y, lr, n_iters, a0, accumulate=True), GREW_HINT),
        (exact_gd(x, y, -lr, n_iters, a0), "You stepped uphill: the update is "
                                           "a <- a - lr * a.grad."),
        (exact_gd(x, y, lr, n_iters, a0, dtype=np.float32), known.FLOAT32_TEXT),
        (exact_gd(x, y, lr * y.size, n_iters, a0),
         "That is the gradient of the SUM of squares: the loss is the mean, .mean()."),
    ]
    label = f"lr = {lr:g}, n_iters = {n_iters}, N = {y.size}"
    hint = known.match([losses, a], [([l_h, a_h], text) for (a_h, l_h), text in slips],
                       rtol=1e-5, atol=atol)
    if ok_losses and not ok_a:  # the losses are right: was a returned after another count?
        slip = known.update_count_slip([a], [gd_path(x, y, lr, n_iters + 1, a0)], [n_iters],
                                       count_name, rtol=1e-8, atol=atol)
        hint = slip[1] if slip else hint
    hint = hint or known.float32_hint([losses, a], [l_exact, a_exact], rtol)
    t = int(np.argmax(~close_mask(losses, l_exact, rtol, atol))) if not ok_losses else None
    if t is not None:
        e_text, g_text = differing(l_exact[t], losses[t], 10)
        where = f"losses[{t}] (the loss before update {t}): expected {e_text}, got {g_text}"
    else:
        e_text, g_text = differing(a_exact, a, 10)
        where = f"a_2 after the last update: expected {e_text}, got {g_text}"
    hint = hint or "Compare your loop with the update rule in the docstring."
    raise Fail(f"{what} at {label}: {where}. {hint}")


class IterParams(Params):
    runs: list[list[float]] = [[1, 0.1], [2, 0.1], [10, 0.1], [25, 0.3]]   # [n_iters, lr]
    n: int = 30
    a_2: list[float] = [3.0, 2.0]
    noise: float = 1.0
    low: float = -1.0
    high: float = 1.0
    constant_column: bool = True    # False: x_N2[:, 1] is a second feature, not all ones
    use_defaults: bool = False      # also call with the default lr=0.1, n_iters=100
    rtol: float = 1e-10
    atol: float = 1e-12


@register
class Iterates(CheckKind):
    """Every loss and the end point equal exact float64 GD from a0 = (-1, 1)."""
    name = "iterates"
    Params = IterParams

    def cases(self, p, rng):
        x, y = line_with_ones(p.seed, p.n, tuple(p.a_2), p.noise, p.low, p.high,
                              p.constant_column)
        runs = [{"n_iters": int(n), "lr": float(lr)} for n, lr in p.runs]
        if p.use_defaults:
            runs.append({"n_iters": 100, "lr": 0.1, "defaults": True})
        return {"x": x, "y": y, "runs": runs}

    @staticmethod
    def probe(sub, cases):
        torch_ready()
        fit = sub.fit_linear_torch
        out = []
        for r in cases["runs"]:
            x, y = tensor(cases["x"]), tensor(cases["y"])
            if r.get("defaults"):
                out.append(attempt(fit, x, y))
            else:
                out.append(attempt(fit, x, y, lr=r["lr"], n_iters=r["n_iters"]))
        return out

    @quiet
    def verify(self, p, cases, got):
        runs = cases["runs"]
        got = as_list(got, len(runs), "fit_linear_torch")
        for r, g in zip(runs, got):
            require_detached_losses(g, "fit_linear_torch")
            verify_run(unwrap(g, "fit_linear_torch"), cases["x"], cases["y"], r["lr"],
                       r["n_iters"], "fit_linear_torch", p.rtol, p.atol)


class InputsParams(Params):
    n: int = 20
    lr: float = 0.1
    n_iters: int = 5
    constant_column: bool = False   # a second feature, so that writing ones into it shows


@register
class LeavesInputs(CheckKind):
    """fit_linear_torch leaves x_N2 and y_N unchanged (on data whose second column is a
    feature, not ones) and returns a detached a_2 (no gradient history kept alive)."""
    name = "leaves_inputs"
    Params = InputsParams

    def cases(self, p, rng):
        x, y = line_with_ones(p.seed, p.n, constant=p.constant_column)
        return {"x": x, "y": y, "lr": p.lr, "n_iters": p.n_iters}

    @staticmethod
    def probe(sub, cases):
        torch_ready()
        x, y = tensor(cases["x"]), tensor(cases["y"])
        run = attempt(sub.fit_linear_torch, x, y, lr=cases["lr"], n_iters=cases["n_iters"])
        return {"run": run, "x": x.detach().numpy(), "y": y.detach().numpy()}

    @quiet
    def verify(self, p, cases, got):
        if not isinstance(got, dict):
            raise Fail("unexpected probe result", status="error")
        if not isinstance(got.get("run"), dict) or "raised" in got["run"]:
            raise Fail("fit_linear_torch raised an error (see the iterates check).")
        if not (np.array_equal(got.get("x"), cases["x"]) and np.array_equal(got.get("y"), cases["y"])):
            raise Fail("fit_linear_torch changed x_N2 or y_N in place; only `a` may change "
                       "(x_N2[:, 1] is usually, not always, a column of ones).")
        require_detached_result(got["run"], "fit_linear_torch")
