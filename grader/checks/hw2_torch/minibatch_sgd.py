"""Checks of exercise minibatch_sgd: SGD over shuffled minibatches, one pass per epoch.

The shuffle comes from the student's torch generator, which the parent cannot
replay without torch. So a probe first runs sgd_linear with lr = 0, a0 = 0
and targets y_i = 2^i: each minibatch loss is then mean_{i in batch} 4^i,
and the batch's index set is read off the base-4 digits of loss * |batch|.
A second run with the same generator seed and real data must then follow
exact float64 SGD over those batches (the order only depends on the seed).
"""
import numpy as np

from grader.checks import hints as known
from grader.checks.fail import Fail, differing
from grader.checks.numerics import as_list, close_mask
from grader.checks.registry import CheckKind, Params, register
from grader.checks.hw2_torch.common import (as_float64_array, as_loss_list, attempt, pair, quiet,
                     require_detached_losses, require_detached_result, tensor, torch_ready,
                     unwrap)
from grader.checks.hw2_torch.data import line_with_ones
from grader.checks.hw2_torch.torch_gd import GREW_HINT, verify_run

MAX_ENCODED_N = 20       # 4^19 * 20 stays far below 2^53: the sums are exact in float64


def encoded_data(n, rng):
    """x_N2 = [u, 1] and y_i = 2^i: with a = 0 the loss of a batch B is mean_{i in B} 4^i."""
    x = np.ones((n, 2))
    x[:, 0] = rng.uniform(-1, 1, n)
    return x, 2.0 ** np.arange(n)


def decode_batch(loss, n, prefer=()):
    """The indices (sorted, with repeats) whose mean of 4^i equals loss, or None.

    A base-4 digit d at position i means example i was used d times. A mean
    alone cannot tell a batch from every other multiset with the same mean, so
    the expected sizes `prefer` come first (distinct examples, then repeats up
    to 3 per example, enough to show sampling with replacement), then sets of
    distinct examples of any other size."""
    others = [k for k in range(1, n + 1) if k not in prefer]
    for max_digit, sizes in ((1, list(prefer)), (3, list(prefer)), (1, others)):
        for k in sizes:
            total = loss * k
            s = int(round(total))
            if s <= 0 or abs(total - s) > 1e-6:
                continue
            digits = [int(d) for d in reversed(np.base_repr(s, 4))]
            if len(digits) <= n and max(digits) <= max_digit and sum(digits) == k:
                return [i for i, d in enumerate(digits) for _ in range(d)]
    return None


def n_batches(n, batch_size):
    return -(-n // batch_size)


def exact_sgd(x, y, a0, lr, batches, accumulate=False):
    """(end point, minibatch losses) of SGD over the given index batches."""
    a, g_sum, losses = np.array(a0, dtype=np.float64), np.zeros(2), []
    for idx in batches:
        xb, yb = x[idx], y[idx]
        r = xb @ a - yb
        losses.append(float(np.mean(r ** 2)))
        g = 2.0 * xb.T @ r / len(idx)
        g_sum = g_sum + g if accumulate else g
        a = a - lr * g_sum
    return a, np.array(losses)


def check_epochs(batches, n, batch_size, n_epochs):
    """Raise Fail unless each epoch's batches split 0..n-1 into ceil(n/B) batches of size B
    (the last one smaller); batches: decoded index lists in update order."""
    per_epoch = n_batches(n, batch_size)
    where = f"(N = {n}, batch_size = {batch_size}, n_epochs = {n_epochs})"
    if len(batches) != per_epoch * n_epochs:
        raise Fail(f"sgd_linear made {len(batches)} updates {where}; expected "
                   f"{per_epoch * n_epochs}: ceil(N / batch_size) = {per_epoch} per epoch.")
    seen_anywhere = set(i for b in batches for i in b)
    if 0 not in seen_anywhere:
        raise Fail(f"example 0 was never used in {n_epochs} epochs {where}. randint(1, N) "
                   "draws from 1..N-1 and never picks index 0: shuffle all indices with "
                   "torch.randperm(N, generator=generator).")
    epochs = [batches[e * per_epoch:(e + 1) * per_epoch] for e in range(n_epochs)]
    for e, epoch in enumerate(epochs):
        counts = np.bincount([i for b in epoch for i in b], minlength=n)
        if np.any(counts != 1):
            missing = [int(i) for i in np.flatnonzero(counts == 0)]
            twice = [int(i) for i in np.flatnonzero(counts > 1)]
            raise Fail(f"epoch {e} {where} should use every example exactly once; "
                       + (f"examples {missing[:8]} were never used" if missing else "")
                       + ("; " if missing and twice else "")
                       + (f"examples {twice[:8]} were used more than once" if twice else "")
                       + ". Drawing indices at random (with replacement, or randint) does not "
                         "give a pass over the data: cut torch.randperm(N, generator=generator) "
                         "into consecutive batches.")
        sizes = [len(b) for b in epoch]
        expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        if sorted(sizes) != sorted(expected):
            raise Fail(f"epoch {e} {where}: batch sizes {sizes}, expected {expected} (every "
                       "batch has batch_size examples except a smaller last one).")
    if n_epochs > 1 and n >= 6 and all(ep == epochs[0] for ep in epochs[1:]):
        raise Fail(f"every epoch {where} used the same batches in the same order: draw a new "
                   "permutation (torch.randperm(N, generator=generator)) at the start of each "
                   "epoch.")


class OrderParams(Params):
    n: int = 12
    batch_size: int = 5
    n_epochs: int = 3
    gen_seed: int = 2024


def _order_probe(sub, cases):
    """Run sgd_linear with lr = 0 on the encoded data; returns an attempt."""
    import torch
    x, y = tensor(cases["enc_x"]), tensor(cases["enc_y"])
    gen = torch.Generator().manual_seed(int(cases["gen_seed"]))
    return attempt(sub.sgd_linear, x, y, tensor(np.zeros(2)), 0.0, int(cases["batch_size"]),
                   int(cases["n_epochs"]), gen)


def decode_order(got, n, batch_size, n_epochs):
    """Parent: the batches (index lists) of the encoded run, checked epoch by epoch."""
    a, losses = pair(unwrap(got, "sgd_linear"), "sgd_linear")
    require_detached_losses(got, "sgd_linear")
    count = n_batches(n, batch_size) * n_epochs
    if isinstance(losses, (list, tuple)) and len(losses) != count:
        raise Fail(f"sgd_linear returned {len(losses)} losses for N = {n}, batch_size = "
                   f"{batch_size}, n_epochs = {n_epochs}; expected one per update, {count} "
                   f"(ceil(N / batch_size) = {n_batches(n, batch_size)} per epoch).")
    losses = as_loss_list(losses, count, "sgd_linear's losses")
    sizes = [k for k in (batch_size, n % batch_size) if 0 < k <= n]
    batches = [decode_batch(v, n, prefer=sizes) for v in losses]
    bad = [k for k, b in enumerate(batches) if b is None]
    if bad:
        raise Fail(f"the loss of update {bad[0]} ({losses[bad[0]]:.10g}) is not the mean squared "
                   "error of any minibatch of the data: each loss should be "
                   "((x_N2[idx] @ a - y_N[idx]) ** 2).mean(), computed before the update. "
                   + (known.float32_values_hint(losses) or ""))
    check_epochs(batches, n, batch_size, n_epochs)
    return batches


def _order_cases(p, rng):
    if p.n > MAX_ENCODED_N:
        raise ValueError(f"n must be at most {MAX_ENCODED_N} for the encoded-order probe")
    x, y = encoded_data(p.n, rng)
    return {"enc_x": x, "enc_y": y, "batch_size": p.batch_size, "n_epochs": p.n_epochs,
            "gen_seed": p.gen_seed, "n": p.n}


@register
class EverySample(CheckKind):
    """Each epoch uses every example exactly once, in batches of batch_size
    (last one smaller); example 0 included (the randint(1, N) slip)."""
    name = "every_sample"
    Params = OrderParams

    def cases(self, p, rng):
        return _order_cases(p, rng)

    @staticmethod
    def probe(sub, cases):
        torch_ready()
        return _order_probe(sub, cases)

    @quiet
    def verify(self, p, cases, got):
        decode_order(got, cases["n"], cases["batch_size"], cases["n_epochs"])


class FullBatchParams(Params):
    n: int = 40
    a0: list[float] = [0.5, 0.75]
    lr: float = 0.1
    n_epochs: int = 15
    gen_seed: int = 7
    rtol: float = 1e-10
    atol: float = 1e-12


@register
class FullBatch(CheckKind):
    """With batch_size = N every epoch is one full-batch GD step, and a_2 comes back
    detached: the losses and end point equal exact float64 gradient descent."""
    name = "full_batch"
    Params = FullBatchParams

    def cases(self, p, rng):
        x, y = line_with_ones(p.seed, p.n)
        return {"x": x, "y": y, "a0": np.array(p.a0), "lr": p.lr, "n_epochs": p.n_epochs,
                "gen_seed": p.gen_seed}

    @staticmethod
    def probe(sub, cases):
        import torch
        torch_ready()
        gen = torch.Generator().manual_seed(int(cases["gen_seed"]))
        n = cases["y"].shape[0]
        return attempt(sub.sgd_linear, tensor(cases["x"]), tensor(cases["y"]),
                       tensor(cases["a0"]), cases["lr"], n, cases["n_epochs"], gen)

    @quiet
    def verify(self, p, cases, got):
        require_detached_losses(got, "sgd_linear")
        verify_run(unwrap(got, "sgd_linear"), cases["x"], cases["y"], cases["lr"],
                   cases["n_epochs"], "sgd_linear with batch_size = N", p.rtol, p.atol,
                   a0=tuple(cases["a0"]), count_name="n_epochs")
        require_detached_result(got, "sgd_linear")


class IterParams(OrderParams):
    n: int = 18
    batch_size: int = 5
    n_epochs: int = 3
    a0: list[float] = [-1.0, 1.0]
    lr: float = 0.05
    gen_seed: int = 31
    constant_column: bool = True    # False: x_N2[:, 1] is a second feature, not all ones
    rtol: float = 1e-10
    atol: float = 1e-12


@register
class Iterates(CheckKind):
    """On real data, the minibatch losses and the end point equal exact float64
    SGD over the batches the same generator seed produced."""
    name = "iterates"
    Params = IterParams

    def cases(self, p, rng):
        out = _order_cases(p, rng)
        x, y = line_with_ones(p.seed + 1, p.n, constant=p.constant_column)
        out.update({"x": x, "y": y, "a0": np.array(p.a0), "lr": p.lr})
        return out

    @staticmethod
    def probe(sub, cases):
        import torch
        torch_ready()
        order = _order_probe(sub, cases)
        gen = torch.Generator().manual_seed(int(cases["gen_seed"]))
        a0, x, y = tensor(cases["a0"]), tensor(cases["x"]), tensor(cases["y"])
        run = attempt(sub.sgd_linear, x, y, a0, cases["lr"], int(cases["batch_size"]),
                      int(cases["n_epochs"]), gen)
        return {"order": order, "run": run, "a0_after": a0.detach().numpy(),
                "x_after": x.detach().numpy(), "y_after": y.detach().numpy()}

    @quiet
    def verify(self, p, cases, got):
        if not isinstance(got, dict):
            raise Fail("unexpected probe result", status="error")
        n, bs, ne = cases["n"], cases["batch_size"], cases["n_epochs"]
        batches = decode_order(got.get("order"), n, bs, ne)
        a_got, l_got = pair(unwrap(got.get("run"), "sgd_linear"), "sgd_linear")
        a = as_float64_array(a_got, (2,), "sgd_linear's a_2")
        losses = as_loss_list(l_got, len(batches), "sgd_linear's losses")
        if not np.array_equal(np.asarray(got.get("a0_after"), dtype=float), cases["a0"]):
            raise Fail("sgd_linear modified a0_2 in place: start from a copy, "
                       "a = a0_2.detach().clone().requires_grad_(True).")
        for key, arg in (("x", "x_N2"), ("y", "y_N")):
            after = np.asarray(got.get(f"{key}_after"), dtype=float)
            if after.shape != cases[key].shape or not np.array_equal(after, cases[key]):
                rows = "" if after.shape != cases[key].shape else (
                    " (the same rows in another order: the data itself was shuffled)"
                    if np.array_equal(np.sort(after, axis=0), np.sort(cases[key], axis=0)) else "")
                raise Fail(f"sgd_linear changed {arg} in place{rows}; the docstring says it is "
                           "NOT modified. Shuffle the indices, idx = order[start:start + "
                           f"batch_size], and index the data with them: {arg}[idx].")
        x, y, a0, lr = cases["x"], cases["y"], cases["a0"], cases["lr"]
        a_exact, l_exact = exact_sgd(x, y, a0, lr, batches)
        if np.all(close_mask(losses, l_exact, p.rtol, p.atol)) and \
                np.all(close_mask(a, a_exact, p.rtol, p.atol)):
            return None
        slips = [(exact_sgd(x, y, a0, lr, batches, accumulate=True), GREW_HINT),
                 (exact_sgd(x, y, a0, -lr, batches), "You stepped uphill: the update is "
                                                     "a <- a - lr * a.grad."),
                 (_whole_epoch_sgd(x, y, a0, lr, batches, n_batches(n, bs)),
                  "One update per minibatch, not one per epoch.")]
        hint = (known.match([losses], [([lh], t) for (ah, lh), t in slips], atol=p.atol)
                or known.float32_hint([losses, a], [l_exact, a_exact], p.rtol))
        bad = ~close_mask(losses, l_exact, p.rtol, p.atol)
        if bad.any():
            k = int(np.argmax(bad))
            e_text, g_text = differing(l_exact[k], losses[k], 10)
            where = f"the loss of update {k}: expected {e_text}, got {g_text}"
        else:
            e_text, g_text = differing(a_exact, a, 10)
            where = f"a_2: expected {e_text}, got {g_text}"
        raise Fail(f"sgd_linear (N = {n}, batch_size = {bs}, n_epochs = {ne}, lr = {lr:g}): "
                   f"{where}. {hint or 'Each update is a <- a - lr * gradient of the minibatch MSE.'}")


def _whole_epoch_sgd(x, y, a0, lr, batches, per_epoch):
    a, losses = np.array(a0, dtype=float), []
    for e in range(len(batches) // per_epoch):
        g = np.zeros(2)
        for idx in batches[e * per_epoch:(e + 1) * per_epoch]:
            r = x[idx] @ a - y[idx]
            losses.append(float(np.mean(r ** 2)))
            g = g + 2.0 * x[idx].T @ r / len(idx)
        a = a - lr * g
    return a, np.array(losses)


class DetParams(Params):
    n: int = 30
    batch_size: int = 4
    n_epochs: int = 2
    lr: float = 0.05
    gen_seeds: list[int] = [5, 6]


@register
class Deterministic(CheckKind):
    """The same generator seed gives the same result twice; another seed gives
    another order (the generator is really used)."""
    name = "deterministic"
    Params = DetParams

    def cases(self, p, rng):
        x, y = line_with_ones(p.seed + 2, p.n)
        return {"x": x, "y": y, "lr": p.lr, "batch_size": p.batch_size, "n_epochs": p.n_epochs,
                "gen_seeds": list(p.gen_seeds)}

    @staticmethod
    def probe(sub, cases):
        import torch
        torch_ready()
        out = []
        for s in [cases["gen_seeds"][0]] + list(cases["gen_seeds"]):
            gen = torch.Generator().manual_seed(int(s))
            out.append(attempt(sub.sgd_linear, tensor(cases["x"]), tensor(cases["y"]),
                               tensor(np.zeros(2)), cases["lr"], int(cases["batch_size"]),
                               int(cases["n_epochs"]), gen))
        return out

    @quiet
    def verify(self, p, cases, got):
        got = as_list(got, 3, "sgd_linear")
        count = n_batches(p.n, p.batch_size) * p.n_epochs
        runs = []
        for g in got:
            a_got, l_got = pair(unwrap(g, "sgd_linear"), "sgd_linear")
            runs.append(np.concatenate([as_float64_array(a_got, (2,), "sgd_linear's a_2"),
                                        as_loss_list(l_got, count, "sgd_linear's losses")]))
        seeds = cases["gen_seeds"]
        if not np.array_equal(runs[0], runs[1]):
            raise Fail(f"two runs with generators seeded {seeds[0]} gave different results: take "
                       "every random number from `generator` (torch.randperm(N, "
                       "generator=generator)), not from np.random, random or torch's global "
                       "generator.")
        if np.array_equal(runs[0], runs[2]):
            raise Fail(f"generators seeded {seeds[0]} and {seeds[1]} gave identical results: the "
                       "order of the examples must come from `generator` "
                       "(torch.randperm(N, generator=generator)), and change with its seed.")
