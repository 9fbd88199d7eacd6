"""Checks of exercise polynomial_l1: PolynomialModel, SGD with lr/(epoch+1), Adam, L1 fit.

The SGD and Adam checks train the grader's own polynomial module on a
dataset that records which examples the student's DataLoader fetched, in
order; the parent replays exactly that order in float64 numpy (L1 or MSE
gradients, the decaying step or Adam's update) and compares every row of the
returned parameter history.
"""
import numpy as np

from grader.checks import hints as known
from grader.checks.fail import Fail, differing, fmt
from grader.checks.numerics import as_array, as_list, assert_all_close, close_mask, memo
from grader.checks.registry import CheckKind, Params, register
from grader.checks.hw2_torch.common import attempt, plain, quiet, tensor, torch_ready, unwrap
from grader.checks.hw2_torch.data import quadratic_with_outlier

LOSSES = ("l1", "mse")


def features(x, p):
    """phi_NP[n, i] = x_n^i for i = 0..p."""
    return np.asarray(x, dtype=np.float64)[:, None] ** np.arange(p + 1)


def loss_grad(w, phi, y, loss):
    r = phi @ w - y
    if loss == "l1":
        return phi.T @ np.sign(r) / y.size
    return 2.0 * phi.T @ r / y.size


def replay_sgd(phi, y, batches_by_epoch, lr, loss, decay="epoch", accumulate=False):
    """History (1 + updates, P) of SGD over the batches; decay: 'epoch' = lr/(e+1),
    'none' = lr, 'step' = lr/(k+1) with k the update count."""
    w, g_sum, hist, k = np.zeros(phi.shape[1]), np.zeros(phi.shape[1]), [], 0
    hist.append(w.copy())
    for e, batches in enumerate(batches_by_epoch):
        for idx in batches:
            g = loss_grad(w, phi[idx], y[idx], loss)
            g_sum = g_sum + g if accumulate else g
            step = {"epoch": lr / (e + 1), "none": lr, "step": lr / (k + 1)}[decay]
            w = w - step * g_sum
            hist.append(w.copy())
            k += 1
    return np.array(hist)


def replay_adam(phi, y, batches_by_epoch, lr, loss, betas=(0.9, 0.999), eps=1e-8,
                accumulate=False):
    """History of torch.optim.Adam (defaults) over the batches, as torch computes it."""
    b1, b2 = betas
    w = np.zeros(phi.shape[1])
    m, v, g_sum, hist, t = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w), [w.copy()], 0
    for batches in batches_by_epoch:
        for idx in batches:
            t += 1
            g = loss_grad(w, phi[idx], y[idx], loss)
            g_sum = g_sum + g if accumulate else g
            m = b1 * m + (1 - b1) * g_sum
            v = b2 * v + (1 - b2) * g_sum ** 2
            denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps
            w = w - lr / (1 - b1 ** t) * m / denom
            hist.append(w.copy())
    return np.array(hist)


@memo
def lad_fit(phi, y, n_iters=300):
    """Least absolute deviations by iteratively reweighted least squares (parent, numpy)."""
    w = np.linalg.lstsq(phi, y, rcond=None)[0]
    for _ in range(n_iters):
        wt = 1.0 / np.maximum(np.abs(y - phi @ w), 1e-9)
        w = np.linalg.lstsq(phi * np.sqrt(wt)[:, None], y * np.sqrt(wt), rcond=None)[0]
    return w


# ------------------------------------------------------------------ child side
def grader_model(p, split=False):
    """The grader's own PolynomialModel (child side): w of shape (p + 1,), zeros.

    split=True: the same polynomial with each coefficient its own parameter of shape (1,)
    (w0, ..., wp, registered in that order), so the trainers' docstring ("model:
    nn.Module, e.g. PolynomialModel") is tested on a module that is not PolynomialModel:
    model.parameters() then yields p + 1 tensors and there is no `model.w`. The history
    rows (parameters concatenated in order) are the same coefficients either way."""
    import torch

    class GraderPolynomial(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(p + 1, dtype=torch.float64))

        def forward(self, x):
            return (x.unsqueeze(-1) ** torch.arange(p + 1, dtype=x.dtype)) @ self.w

    class SplitPolynomial(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.coefs = torch.nn.ParameterList(
                [torch.nn.Parameter(torch.zeros(1, dtype=torch.float64)) for _ in range(p + 1)])

        def forward(self, x):
            powers = x.unsqueeze(-1) ** torch.arange(p + 1, dtype=x.dtype)
            return powers @ torch.cat(list(self.coefs))

    return SplitPolynomial() if split else GraderPolynomial()


def recording_dataset(x, y):
    """A Dataset of (x_n, y_n) pairs that logs every index fetched (child side)."""
    from torch.utils.data import Dataset

    class Recording(Dataset):
        def __init__(self):
            self.x, self.y, self.log = x, y, []

        def __len__(self):
            return int(self.y.shape[0])

        def __getitem__(self, i):
            self.log.append(int(i))
            return self.x[i], self.y[i]

    return Recording()


def loss_function(name):
    import torch.nn.functional as F
    return {"l1": F.l1_loss, "mse": F.mse_loss}[name]


# ------------------------------------------------------------------ the model
class ModelParams(Params):
    degrees: list[int] = [0, 1, 2, 5]
    n: int = 9
    rtol: float = 1e-10
    atol: float = 1e-12


@register
class Model(CheckKind):
    """PolynomialModel(p) is an nn.Module whose only parameter holds p + 1 float64
    zeros; forward gives sum_i w_i x^i with shape (N,), and gradients flow to w."""
    name = "model"
    Params = ModelParams

    def cases(self, p, rng):
        return {"items": [{"p": int(d), "w": rng.normal(size=d + 1), "x": rng.uniform(-1.5, 1.5, p.n)}
                          for d in p.degrees]}

    @staticmethod
    def probe(sub, cases):
        import torch
        torch_ready()
        out = []
        for c in cases["items"]:
            model = sub.PolynomialModel(c["p"])
            params = list(model.parameters()) if isinstance(model, torch.nn.Module) else []
            item = {"is_module": isinstance(model, torch.nn.Module),
                    "params": [{"shape": list(q.shape), "dtype": str(q.dtype).replace("torch.", ""),
                                "values": q.detach().numpy().copy()} for q in params]}
            if len(params) == 1 and params[0].numel() == c["p"] + 1:
                with torch.no_grad():
                    params[0].copy_(tensor(c["w"]).reshape(params[0].shape))
                item["forward"] = attempt(lambda: _forward_and_grad(model, params[0], c["x"]))
            out.append(item)
        return out

    @quiet
    def verify(self, p, cases, got):
        items = cases["items"]
        got = as_list(got, len(items), "the polynomial model")
        for c, g in zip(items, got):
            deg, call = c["p"], f"PolynomialModel({c['p']})"
            if not g.get("is_module"):
                raise Fail(f"{call} should be a torch.nn.Module (class PolynomialModel(nn.Module), "
                           "with super().__init__() first).")
            params = g.get("params") or []
            if len(params) != 1:
                raise Fail(f"{call} should have exactly one parameter, w (an nn.Parameter of "
                           f"shape ({deg + 1},)); model.parameters() gave {len(params)}.")
            q = params[0]
            if int(np.prod(q["shape"])) != deg + 1:
                raise Fail(f"{call}'s parameter has shape {tuple(q['shape'])}; it needs p + 1 = "
                           f"{deg + 1} entries, w_0 ... w_p (x^0 is the constant term).")
            if q["dtype"] != "float64":
                raise Fail(f"{call}'s parameter is {q['dtype']}; make it float64 "
                           "(torch.zeros(p + 1, dtype=torch.float64)).")
            if np.any(np.asarray(q["values"]) != 0):
                raise Fail(f"{call}'s parameter should start at zeros; got {fmt(np.asarray(q['values']))}.")
            res = unwrap(g.get("forward"), f"{call}'s forward")
            n = c["x"].size
            if not isinstance(res, dict):
                raise Fail("unexpected probe result", status="error")
            yhat = as_array(res.get("yhat"), (None,) * np.ndim(res.get("yhat")),
                            f"{call}(x) for x of shape ({n},)")
            if yhat.shape != (n,):
                raise Fail(f"{call}(x) for x of shape ({n},) should have shape ({n},), got "
                           f"{yhat.shape}. A column (N, 1) against targets of shape (N,) "
                           "broadcasts to (N, N) inside the loss.")
            phi = features(c["x"], deg)
            assert_all_close([yhat], [phi @ c["w"]], [f"{call}, w = {fmt(c['w'], 3)}"],
                             "the prediction", p.rtol, p.atol,
                             hints=[([phi @ c["w"][::-1]], "The coefficients are reversed: w[i] "
                                     "multiplies x^i, so w[0] is the constant term.")],
                             float32=True)
            grad = as_array(res.get("grad"), (None,) * np.ndim(res.get("grad")),
                            f"{call}'s w.grad after backward()")
            assert_all_close([grad.reshape(-1)], [phi.sum(axis=0)], [call],
                             "d sum(yhat) / dw (autograd through your forward)", p.rtol, p.atol)


def _forward_and_grad(model, param, x):
    yhat = model(tensor(x))
    yhat.sum().backward()
    return {"yhat": yhat, "grad": param.grad}


# ------------------------------------------------------------ SGD and Adam
class TrainParams(Params):
    degree: int = 2
    n: int = 23
    batch_size: int = 5
    nepochs: int = 3
    lr: float = 0.7
    loss: str = "l1"
    gen_seeds: list[int] = [11, 12]
    split_params: bool = False      # True: a module with one parameter per coefficient
    rtol: float = 1e-9
    atol: float = 1e-12


def _train_cases(p, rng):
    if p.loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}")
    x = rng.uniform(-1.0, 1.0, p.n)
    y = 1.0 + 3.0 * x - 4.0 * x ** 2 + 0.7 * rng.standard_normal(p.n)
    return {"x": x, "y": y, "degree": p.degree, "batch_size": p.batch_size,
            "nepochs": p.nepochs, "lr": p.lr, "loss": p.loss, "gen_seeds": list(p.gen_seeds),
            "split": p.split_params}


def _train_probe(sub, cases, fname):
    """Three runs (seed s, s again, s') of the student's trainer on the grader's model."""
    import torch
    torch_ready()
    out = []
    for s in [cases["gen_seeds"][0]] + list(cases["gen_seeds"]):
        data = recording_dataset(tensor(cases["x"]), tensor(cases["y"]))
        gen = torch.Generator().manual_seed(int(s))
        res = attempt(getattr(sub, fname),
                      grader_model(int(cases["degree"]), bool(cases.get("split"))),
                      loss_function(cases["loss"]), data, lr=cases["lr"],
                      nepochs=int(cases["nepochs"]), batch_size=int(cases["batch_size"]),
                      generator=gen)
        out.append({"result": res, "log": list(data.log)})
    return out


def _epochs_from_log(log, n, batch_size, nepochs, fname):
    """Split the fetch log into per-epoch lists of batches; Fail if it is not nepochs passes."""
    if len(log) != n * nepochs:
        raise Fail(f"{fname} fetched {len(log)} examples from the dataset in {nepochs} epochs of "
                   f"N = {n}; expected {n * nepochs}: one pass over the data per epoch, "
                   "through DataLoader(dataset, batch_size=batch_size, shuffle=True, "
                   "generator=generator) (no drop_last).")
    epochs = []
    for e in range(nepochs):
        order = list(log[e * n:(e + 1) * n])
        if sorted(order) != list(range(n)):
            raise Fail(f"epoch {e} of {fname} did not fetch every example exactly once.")
        epochs.append([order[i:i + batch_size] for i in range(0, n, batch_size)])
    return epochs


def _verify_training(p, cases, got, fname, replay, hints_for):
    got = as_list(got, 3, "the trainers")
    n, bs, ne, deg = len(cases["y"]), cases["batch_size"], cases["nepochs"], cases["degree"]
    phi, y = features(cases["x"], deg), cases["y"]
    hists, logs = [], []
    for g in got:
        hist = unwrap(g.get("result"), fname)
        epochs = _epochs_from_log(g.get("log") or [], n, bs, ne, fname)
        rows = 1 + sum(len(b) for b in epochs)
        hist = as_array(hist, (None, None), f"{fname}'s history")
        if hist.shape != (rows, deg + 1):
            raise Fail(f"{fname}'s history should have shape ({rows}, {deg + 1}): row 0 the "
                       f"parameters before any update, then one row per update ({ne} epochs x "
                       f"{len(epochs[0])} batches); got {hist.shape}.")
        hists.append(hist)
        logs.append(epochs)
    if logs[0] != logs[1]:
        raise Fail(f"two runs of {fname} with generators seeded {cases['gen_seeds'][0]} fetched "
                   "the examples in different orders: pass `generator` to the DataLoader.")
    if logs[0] == logs[2]:
        raise Fail(f"{fname} fetched the examples in the same order for generator seeds "
                   f"{cases['gen_seeds'][0]} and {cases['gen_seeds'][1]}: use shuffle=True and "
                   "pass `generator` to the DataLoader.")
    if ne > 1 and n > 2 and all(e == logs[0][0] for e in logs[0][1:]):
        raise Fail(f"every epoch of {fname} fetched the examples in the same order (seed "
                   f"{cases['gen_seeds'][0]}, {ne} epochs): each epoch must reshuffle. Build "
                   "ONE DataLoader(dataset, batch_size=batch_size, shuffle=True, "
                   "generator=generator) before the loop and iterate over it every epoch; a "
                   "fixed sampler or a generator re-seeded per epoch replays one order.")
    label = f"loss {cases['loss']}, lr = {cases['lr']:g}, batch_size = {bs}, {ne} epochs"
    for hist, epochs in zip(hists, logs):
        exact = replay(phi, y, epochs, cases["lr"], cases["loss"])
        if np.all(close_mask(hist, exact, p.rtol, p.atol)):
            continue
        bad = np.flatnonzero(~np.all(close_mask(hist, exact, p.rtol, p.atol), axis=1))
        k = int(bad[0])
        hint = (known.aliasing_hint(hist, f"{fname}'s history")
                or known.match([hist], [([wrong], t) for wrong, t in hints_for(phi, y, epochs, cases)],
                               rtol=1e-7, atol=p.atol)
                or known.float32_hint([hist], [exact], p.rtol) or "")
        e_text, g_text = differing(exact[k], hist[k], 8)
        raise Fail(f"{fname} ({label}): history {row_label(k)} should be {e_text}, got "
                   f"{g_text}. {hint}".rstrip())


def row_label(k):
    """What row k of a parameter history holds."""
    return "row 0 (the parameters before any update)" if k == 0 else f"row {k} (after update {k})"


def _sgd_hints(phi, y, epochs, c):
    lr, loss = c["lr"], c["loss"]
    return [(replay_sgd(phi, y, epochs, lr, loss, accumulate=True),
             "The gradient grew between steps: did you zero the gradients (model.zero_grad()) "
             "after each update?"),
            (replay_sgd(phi, y, epochs, lr, loss, decay="none"),
             "The step size never decays: epoch e (from 0) uses lr / (e + 1)."),
            (replay_sgd(phi, y, epochs, lr, loss, decay="step"),
             "The step decays with every update: it should change once per epoch, lr / (epoch + 1)."),
            (replay_sgd(phi, y, epochs, -lr, loss),
             "You stepped uphill: the update is p -= step * p.grad."),
            (replay_sgd(phi, y, epochs, lr, "mse" if loss == "l1" else "l1"),
             "That is SGD on another loss than the one it was given: differentiate "
             "loss_fn(model(x_B), y_B), the loss_fn argument.")]


def _adam_hints(phi, y, epochs, c):
    lr, loss = c["lr"], c["loss"]
    return [(replay_adam(phi, y, epochs, lr, loss, accumulate=True),
             "The gradient grew between steps: call opt.zero_grad() (or model.zero_grad()) "
             "every step."),
            (replay_sgd(phi, y, epochs, lr, loss, decay="none"),
             "That is plain SGD: use torch.optim.Adam(model.parameters(), lr=lr) and opt.step()."),
            (replay_sgd(phi, y, epochs, lr, loss),
             "That is SGD with a decaying step: use torch.optim.Adam and opt.step()."),
            (replay_adam(phi, y, epochs, lr, "mse" if loss == "l1" else "l1"),
             f"That is Adam on the {'squared error' if loss == 'l1' else 'L1 loss'}, not on "
             "the loss it was given: differentiate loss_fn(model(x_B), y_B), the loss_fn "
             "argument, not a loss of your choice.")]


@register
class SgdIterates(CheckKind):
    """stochastic_gradient_descent: one update per DataLoader batch with step
    lr / (epoch + 1); the history equals the grader's replay in float64."""
    name = "sgd_iterates"
    Params = TrainParams

    def cases(self, p, rng):
        return _train_cases(p, rng)

    @staticmethod
    def probe(sub, cases):
        return _train_probe(sub, cases, "stochastic_gradient_descent")

    @quiet
    def verify(self, p, cases, got):
        _verify_training(p, cases, got, "stochastic_gradient_descent", replay_sgd, _sgd_hints)


class AdamParams(TrainParams):
    lr: float = 0.1
    rtol: float = 1e-8


@register
class AdamIterates(CheckKind):
    """adam_fit: torch.optim.Adam with default betas/eps over DataLoader batches;
    the history equals the grader's float64 replay of Adam."""
    name = "adam_iterates"
    Params = AdamParams

    def cases(self, p, rng):
        return _train_cases(p, rng)

    @staticmethod
    def probe(sub, cases):
        return _train_probe(sub, cases, "adam_fit")

    @quiet
    def verify(self, p, cases, got):
        _verify_training(p, cases, got, "adam_fit", replay_adam, _adam_hints)


# ----------------------------------------------------------------- fit quality
class FitParams(Params):
    data_seed: int = 42             # 42 with the defaults below = the lecture's data
    n: int = 100
    noise: float = 0.7
    quad: float = -4.0
    outlier: list[float] = [-1.5, 10.0]
    degree: int = 2
    sgd: list[float] = [1.0, 20, 10]     # lr, nepochs, batch_size
    adam: list[float] = [0.1, 40, 10]
    gen_seed: int = 0
    max_ratio: float = 1.05         # L1 loss at most this times the best possible L1 loss
    partial: float = 0.5            # share of points for one optimiser out of two


@register
class Fit(CheckKind):
    """On the lecture's data (quadratic + noise + one outlier), PolynomialModel
    trained by each optimiser under the L1 loss gets within max_ratio of the
    least-absolute-deviations optimum (computed by the grader)."""
    name = "fit"
    Params = FitParams

    def target(self, p):
        return (f"trained from PolynomialModel({p.degree}) under the L1 loss, each optimiser "
                f"reaches an L1 loss at most {p.max_ratio:g} times the best possible on the "
                f"lecture's data ({p.partial:.0%} of the points if only one does).")

    def cases(self, p, rng):
        x, y = quadratic_with_outlier(p.data_seed, p.n, p.noise, quad=p.quad,
                                      outlier=tuple(p.outlier))
        return {"x": x, "y": y, "degree": p.degree, "sgd": list(p.sgd), "adam": list(p.adam),
                "gen_seed": p.gen_seed}

    @staticmethod
    def probe(sub, cases):
        import torch
        from torch.utils.data import TensorDataset
        torch_ready()
        out = {}
        for fname, key in (("stochastic_gradient_descent", "sgd"), ("adam_fit", "adam")):
            lr, nepochs, bs = cases[key]
            gen = torch.Generator().manual_seed(int(cases["gen_seed"]))
            data = TensorDataset(tensor(cases["x"]), tensor(cases["y"]))
            model = sub.PolynomialModel(int(cases["degree"]))
            out[key] = attempt(lambda: _last_row(getattr(sub, fname)(
                model, loss_function("l1"), data, lr=lr, nepochs=int(nepochs),
                batch_size=int(bs), generator=gen)))
        return out

    @quiet
    def verify(self, p, cases, got):
        if not isinstance(got, dict):
            raise Fail("unexpected probe result", status="error")
        phi, y = features(cases["x"], p.degree), cases["y"]
        best = float(np.mean(np.abs(phi @ lad_fit(phi, y) - y)))
        misses = []
        for fname, key in (("stochastic_gradient_descent", "sgd"), ("adam_fit", "adam")):
            w = as_array(unwrap(got.get(key), fname), (p.degree + 1,), f"{fname}'s last row",
                         allow_squeeze=True)
            loss = float(np.mean(np.abs(phi @ w - y)))
            if loss > p.max_ratio * best:
                misses.append(f"{fname} reached an L1 loss of {loss:.4f} with w = {fmt(w, 4)}; "
                              f"the best possible is {best:.4f} and full marks need at most "
                              f"{p.max_ratio * best:.4f}")
        if misses:
            raise Fail("; ".join(misses) + ". Check the step size schedule, the loss you "
                       "differentiate (l1) and that every batch updates the model.",
                       fraction=p.partial if len(misses) == 1 else 0.0)


def _last_row(history):
    """The final parameters of a history given as an array, a tensor or a list of rows."""
    return np.asarray(plain(history))[-1]
