"""Checks of exercise nn_fit: list-of-dicts parameters, forward pass, loss, fit.

Parameters travel as a list of {"w": (n_in, n_out), "b": (n_out,)} dicts.
The grader has its own forward pass, loss and (autograd) gradient, run in the
parent on grader-made inputs; the student's are only ever called in the child.
"""
import autograd
import autograd.numpy as ag_np
import numpy as np

from grader.checks.fail import Fail
from grader.checks.numerics import as_array, as_list, as_scalar, assert_all_close
from grader.checks.registry import CheckKind, Params, register
from grader.checks.hw1_autograd.data import quadratic_toy



def activation(name):
    """autograd-friendly activation by name (the same table in parent and child)."""
    import autograd.numpy as agnp
    return {"tanh": agnp.tanh, "sin": agnp.sin, "identity": lambda a: a,
            "relu": lambda a: agnp.maximum(a, 0.0)}[name]


def forward(params, x, act="tanh"):
    """The grader's forward pass. x: (N, D) or (N,) with D = 1. Returns (N,) or (N, K)."""
    h = x[:, None] if x.ndim == 1 else x
    for i, layer in enumerate(params):
        if i > 0:
            h = activation(act)(h)
        h = ag_np.dot(h, layer["w"]) + layer["b"]
    return h[:, 0] if h.shape[1] == 1 else h


def loss(params, x, y, sigma):
    return 0.5 / sigma ** 2 * ag_np.sum(ag_np.square(y - forward(params, x)))


def random_params(rng, sizes, scale=0.7):
    return [{"w": rng.normal(scale=scale, size=(a, b)), "b": rng.normal(scale=scale, size=b)}
            for a, b in zip(sizes[:-1], sizes[1:])]


def flatten(params):
    return np.concatenate([np.ravel(layer[k]) for layer in params for k in ("w", "b")])


def as_params(got, what, sizes=None):
    """Validate a list of {'w', 'b'} dicts with chained shapes; returns float arrays."""
    if not isinstance(got, list) or not got or not all(isinstance(l, dict) for l in got):
        raise Fail(f"{what} should be a non-empty list of dicts with keys 'w' and 'b', got "
                   f"{type(got).__name__}.", status="error")
    out, n_in = [], None
    for i, layer in enumerate(got):
        if set(layer) != {"w", "b"}:
            raise Fail(f"{what}: layer {i} should have exactly the keys 'w' and 'b', got "
                       f"{sorted(map(str, layer))}.", status="error")
        w = as_array(layer["w"], (None, None), f"{what}: layer {i} 'w'")
        b = as_array(layer["b"], (w.shape[1],), f"{what}: layer {i} 'b'")
        if n_in is not None and w.shape[0] != n_in:
            raise Fail(f"{what}: layer {i} 'w' has {w.shape[0]} rows but the previous layer "
                       f"has {n_in} outputs.", status="error")
        n_in = w.shape[1]
        out.append({"w": w, "b": b})
    if sizes is not None:
        got_sizes = [out[0]["w"].shape[0]] + [l["w"].shape[1] for l in out]
        if got_sizes != list(sizes):
            raise Fail(f"{what}: layer sizes should be {sizes}, got {got_sizes}.")
    return out


# --------------------------------------------------------------- shapes
class ShapeParams(Params):
    architectures: list[list] = [[[5], 1, 1], [[], 2, 1], [[3], 2, 1], [[3, 4, 5], 2, 3]]


@register
class ParamShapes(CheckKind):
    """make_nn_params_as_list_of_dicts builds (n_in, n_out) weights and (n_out,)
    biases for each layer and fills them with the given functions."""
    name = "param_shapes"
    Params = ShapeParams

    def cases(self, p, rng):
        return {"archs": [{"hidden": list(h), "n_in": int(i), "n_out": int(o)}
                          for h, i, o in p.architectures]}

    @staticmethod
    def probe(sub, cases):
        import numpy as np
        out = []
        for a in cases["archs"]:
            out.append(sub.make_nn_params_as_list_of_dicts(
                n_hiddens_per_layer_list=list(a["hidden"]), n_dims_input=a["n_in"],
                n_dims_output=a["n_out"]))
            out.append(sub.make_nn_params_as_list_of_dicts(
                n_hiddens_per_layer_list=list(a["hidden"]), n_dims_input=a["n_in"],
                n_dims_output=a["n_out"], weight_fill_func=np.ones,
                bias_fill_func=lambda shape: np.full(shape, 0.5)))
        return out

    def verify(self, p, cases, got):
        archs = cases["archs"]
        got = as_list(got, 2 * len(archs), "make_nn_params_as_list_of_dicts")
        for k, a in enumerate(archs):
            sizes = [a["n_in"]] + list(a["hidden"]) + [a["n_out"]]
            call = (f"make_nn_params_as_list_of_dicts(n_hiddens_per_layer_list={a['hidden']}, "
                    f"n_dims_input={a['n_in']}, n_dims_output={a['n_out']})")
            if not isinstance(got[2 * k], list) or len(got[2 * k]) != len(sizes) - 1:
                n = len(got[2 * k]) if isinstance(got[2 * k], list) else type(got[2 * k]).__name__
                raise Fail(f"{call} should give {len(sizes) - 1} layers (one per pair of "
                           f"consecutive sizes in {sizes}), got {n}.")
            zeros = as_params(got[2 * k], call, sizes)
            filled = as_params(got[2 * k + 1], call + " with fill functions", sizes)
            if any(np.any(l["w"] != 0) or np.any(l["b"] != 0) for l in zeros):
                raise Fail(f"{call}: with the default fill functions every entry should be 0.")
            if any(np.any(l["w"] != 1) or np.any(l["b"] != 0.5) for l in filled):
                raise Fail(f"{call}: weights should come from weight_fill_func (np.ones gives "
                           "1s) and biases from bias_fill_func (0.5 here); use each on its own "
                           "shape tuple.")


# -------------------------------------------------------------- predict
class PredictParams(Params):
    # [hidden sizes, D, N, activation, 1D input]: a 1D input is N examples of one
    # feature when D = 1, and ONE example of D features when D > 1 (N is then 1)
    # and a deep net (3 hidden layers: a loop cut short shows)
    items: list[list] = [[[5], 1, 10, "tanh", True], [[], 2, 8, "tanh", False],
                          [[4], 2, 12, "relu", False], [[3, 6], 3, 9, "sin", False],
                          [[4], 3, 1, "tanh", True], [[3, 4, 2], 2, 6, "tanh", False]]
    rtol: float = 1e-10
    atol: float = 1e-10


@register
class Predict(CheckKind):
    """predict_y_given_x_with_NN matches the grader's forward pass for random
    parameters, 1D and 2D inputs and non-default activations."""
    name = "predict"
    Params = PredictParams

    def cases(self, p, rng):
        out = []
        for hidden, d, n, act, flat in p.items:
            params = random_params(rng, [d] + list(hidden) + [1])
            x = rng.uniform(-2, 2, size=((n,) if d == 1 else (d,)) if flat else (n, d))
            out.append({"params": params, "x": x, "act": act})
        return {"items": out}

    @staticmethod
    def probe(sub, cases):
        from grader.checks.hw1_autograd.nn_fit import activation
        return [sub.predict_y_given_x_with_NN(x=c["x"].copy(), nn_param_list=c["params"],
                                              activation_func=activation(c["act"]))
                for c in cases["items"]]

    def verify(self, p, cases, got):
        items = cases["items"]
        got = as_list(got, len(items), "predict_y_given_x_with_NN")
        preds, expected, labels = [], [], []
        for c, g in zip(items, got):
            one = _one_example(c)
            x = c["x"][None, :] if one else c["x"]
            label = (f"x of shape {c['x'].shape}{' (one example of D features)' if one else ''}, "
                     f"hidden sizes {[l['w'].shape[1] for l in c['params'][:-1]]}, "
                     f"activation {c['act']}")
            preds.append(as_array(g, (x.shape[0],), f"the prediction for {label}",
                                  allow_squeeze=True))
            expected.append(forward(c["params"], x, c["act"]))
            labels.append(label)
        no_act = [forward(c["params"], c["x"][None, :] if _one_example(c) else c["x"], "identity")
                  for c in items]
        last_act = [np.asarray(activation(c["act"])(e)) for c, e in zip(items, expected)]
        assert_all_close(preds, expected, labels, "the prediction", p.rtol, p.atol,
                         hints=[(no_act, "The activation is never applied: apply "
                                 "activation_func to each hidden layer's output."),
                                (last_act, "The activation is applied after the last layer "
                                 "too: the output layer is linear.")])


def _one_example(c):
    """A 1D input whose size is the first layer's input size: one example of D features."""
    return c["x"].ndim == 1 and c["params"][0]["w"].shape[0] > 1


# ----------------------------------------------------------------- loss
class LossParams(Params):
    sets: list[list] = [[[4], 2, 25, 0.1], [[], 1, 10, 0.1], [[3, 3], 3, 15, 0.5]]
    rtol: float = 1e-10
    atol: float = 1e-10
    h: float = 1e-6
    n_directions: int = 3
    fd_rtol: float = 1e-6


def _loss_cases(p, rng):
    out = []
    for hidden, d, n, sigma in p.sets:
        params = random_params(rng, [d] + list(hidden) + [1])
        x = rng.uniform(-2, 2, size=(n, d))
        out.append({"params": params, "x": x, "y": rng.normal(size=n), "sigma": float(sigma)})
    return out


@register
class Loss(CheckKind):
    """nn_regression_loss equals 0.5 / sigma^2 * sum of squared residuals."""
    name = "loss"
    Params = LossParams

    def cases(self, p, rng):
        return {"sets": _loss_cases(p, rng)}

    @staticmethod
    def probe(sub, cases):
        return [sub.nn_regression_loss(c["params"], c["x"], c["y"], sigma=c["sigma"])
                for c in cases["sets"]]

    def verify(self, p, cases, got):
        sets = cases["sets"]
        got = as_list(got, len(sets), "nn_regression_loss")
        vals = [as_scalar(g, "nn_regression_loss") for g in got]
        expected = [float(loss(c["params"], c["x"], c["y"], c["sigma"])) for c in sets]
        sse = [2 * e * c["sigma"] ** 2 for e, c in zip(expected, sets)]
        assert_all_close(vals, expected, [f"N = {c['x'].shape[0]}, sigma = {c['sigma']:g}" for c in sets],
                         "nn_regression_loss", p.rtol, p.atol,
                         hints=[([s / c["sigma"] ** 2 for s, c in zip(sse, sets)], "Missing the factor 0.5."),
                                ([0.5 * s for s in sse], "Missing the 1/sigma^2 factor."),
                                ([0.5 * s / c["sigma"] ** 2 / c["y"].size for s, c in zip(sse, sets)],
                                 "Use the sum of squared residuals, not the mean.")])


@register
class LossGradient(CheckKind):
    """autograd differentiates nn_regression_loss w.r.t. the list of dicts: the
    result matches the grader's gradient per coordinate and central differences
    of the student's own loss along random directions."""
    name = "loss_gradient"
    Params = LossParams

    def cases(self, p, rng):
        sets = _loss_cases(p, rng)
        for c in sets:
            c["dirs"] = [[{k: rng.normal(size=v.shape) for k, v in l.items()} for l in c["params"]]
                         for _ in range(p.n_directions)]
        return {"sets": sets, "h": p.h}

    @staticmethod
    def probe(sub, cases):
        import autograd
        h, out = cases["h"], []
        grad = autograd.grad(sub.nn_regression_loss)
        for c in cases["sets"]:
            def shifted(direction, t):
                return [{k: l[k] + t * d[k] for k in l} for l, d in zip(c["params"], direction)]
            fd = [(sub.nn_regression_loss(shifted(v, h), c["x"], c["y"], c["sigma"]),
                   sub.nn_regression_loss(shifted(v, -h), c["x"], c["y"], c["sigma"]))
                  for v in c["dirs"]]
            out.append({"grad": grad(c["params"], c["x"], c["y"], c["sigma"]), "fd": fd})
        return out

    def verify(self, p, cases, got):
        sets = cases["sets"]
        got = as_list(got, len(sets), "autograd.grad(nn_regression_loss)")
        for k, (c, g) in enumerate(zip(sets, got)):
            sizes = [c["params"][0]["w"].shape[0]] + [l["w"].shape[1] for l in c["params"]]
            grad = as_params(g.get("grad") if isinstance(g, dict) else None,
                             "autograd.grad(nn_regression_loss)", sizes)
            expected = autograd.grad(loss)(c["params"], c["x"], c["y"], c["sigma"])
            label = f"set {k} (sizes {sizes}, sigma = {c['sigma']:g})"
            assert_all_close([flatten(grad)], [flatten(expected)], [label],
                             "the gradient (flattened layer by layer, w then b)", p.rtol, p.atol)
            fd = [(as_scalar(a, "loss"), as_scalar(b, "loss")) for a, b in g["fd"]]
            slopes = [(a - b) / (2 * cases["h"]) for a, b in fd]
            along = [float(flatten(grad) @ flatten(v)) for v in c["dirs"]]
            assert_all_close(along, slopes, [f"{label}, random direction {i}" for i in range(len(slopes))],
                             "the directional derivative vs central differences of your loss",
                             p.fd_rtol, 1e-6 * max(1.0, max(abs(s) for s in slopes)))


# ------------------------------------------------------------------ fit
class FitParams(Params):
    data_seed: int = 0          # 0 = the course notebook's training set
    n_train: int = 300
    n_test: int = 1000
    test_seed: int = 1000
    full_r2: float = 0.99
    tiers: list[list[float]] = [[0.95, 0.7], [0.9, 0.5], [0.5, 0.2]]
    max_parameters: int = 200_000
    # The toy family y = x^2 @ wsq_D + x @ w_D + noise; D = len(w_D) (the course's set
    # has D = 2; hidden sets use other D, so a first layer built for 2 inputs shows).
    wsq_D: list[float] = [-2.0, 2.0]
    w_D: list[float] = [4.2, -4.2]
    # Added to every input (train and held-out; y stays a function of the unshifted x):
    # inputs not centred on 0 show a mean folded into the first layer the wrong way.
    x_shift: list[float] = []


@register
class Fit(CheckKind):
    """fit_nn's parameters reach held-out R^2 >= full_r2 on the quadratic toy
    family with D = len(w_D) features (predicted by the grader's forward pass with
    tanh); tiers below."""
    name = "fit"
    Params = FitParams

    def target(self, p):
        tiers = ", ".join(f"{frac:.0%} of the points from R^2 >= {thr:g}" for thr, frac in p.tiers)
        return (f"fit_nn's network, for x_ND with any number D of features, reaches a "
                f"held-out R^2 >= {p.full_r2:g} (predicted by "
                f"predict_y_given_x_with_NN with tanh), with at most {p.max_parameters} "
                f"parameters; below that, {tiers}.")

    def cases(self, p, rng):
        if len(p.wsq_D) != len(p.w_D) or not p.w_D:
            raise ValueError("wsq_D and w_D need the same number (D >= 1) of entries")
        x, y = quadratic_toy(seed=p.data_seed, n=p.n_train, wsq_D=p.wsq_D, w_D=p.w_D)
        x_test, y_test = quadratic_toy(seed=p.test_seed, n=p.n_test, wsq_D=p.wsq_D, w_D=p.w_D)
        if p.x_shift:
            if len(p.x_shift) != x.shape[1]:
                raise ValueError(f"x_shift needs {x.shape[1]} entries, one per feature")
            x, x_test = x + np.asarray(p.x_shift), x_test + np.asarray(p.x_shift)
        # The held-out set never leaves the parent ("_" keys stay here).
        return {"x": x, "y": y, "_x_test": x_test, "_y_test": y_test}

    @staticmethod
    def probe(sub, cases):
        return sub.fit_nn(cases["x"].copy(), cases["y"].copy())

    def verify(self, p, cases, got):
        params = as_params(got, "fit_nn's result")
        if params[0]["w"].shape[0] != cases["x"].shape[1] or params[-1]["w"].shape[1] != 1:
            raise Fail(f"fit_nn's network should take {cases['x'].shape[1]} inputs and give 1 "
                       f"output; got {params[0]['w'].shape[0]} -> {params[-1]['w'].shape[1]}.")
        n_par = flatten(params).size
        if n_par > p.max_parameters:
            raise Fail(f"fit_nn's network has {n_par} parameters; the limit is {p.max_parameters}.")
        y_test = cases["_y_test"]
        pred = forward(params, cases["_x_test"], "tanh")
        if not np.all(np.isfinite(pred)):
            raise Fail("the trained network predicts NaN or inf on held-out inputs.", status="error")
        r2 = 1.0 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
        if r2 >= p.full_r2:
            return None
        fraction = next((frac for thr, frac in p.tiers if r2 >= thr), 0.0)
        raise Fail(f"held-out R^2 is {r2:.4f}; full marks need {p.full_r2:g} "
                   f"({fraction:.0%} of the points at this level). Try more hidden units, more "
                   "iterations, a larger step or Adam; standardise x and y while training and "
                   "fold the scaling into the first and last layers.", fraction=fraction)
