"""Checks of exercise decaying_cosine: f(x) = exp(-x/10) cos(x) and its derivative."""
import numpy as np

from grader.checks import evidence
from grader.checks.fail import Fail
from grader.checks.numerics import as_list, as_scalar, assert_all_close
from grader.checks.registry import CheckKind, Params, register


def f(x):
    return np.exp(-x / 10.0) * np.cos(x)


def df(x):
    """Product rule: d/dx e^(-x/10) cos x = -e^(-x/10) (cos(x)/10 + sin x)."""
    return -np.exp(-x / 10.0) * (np.cos(x) / 10.0 + np.sin(x))


VALUE_HINTS = [
    (lambda x: np.exp(x / 10.0) * np.cos(x), "The exponent should be -x/10: the curve decays as x grows."),
    (lambda x: np.exp(-x / 10.0) * np.sin(x), "That is e^(-x/10) sin(x): the formula uses cos."),
    (lambda x: np.exp(-x) * np.cos(x), "Did you drop the /10 in the exponent?"),
    (lambda x: np.exp(-10 * x) * np.cos(x), "The exponent is -x/10, not -10x."),
]
GRAD_HINTS = [
    (lambda x: -np.exp(-x / 10.0) * np.sin(x),
     "That is only e^(-x/10) * (cos x)': did you forget the product rule?"),
    (lambda x: -np.exp(-x / 10.0) * np.cos(x) / 10.0,
     "That is only (e^(-x/10))' * cos x: did you forget the product rule?"),
    (lambda x: np.exp(-x / 10.0) * (np.cos(x) / 10.0 + np.sin(x)), "The sign is flipped."),
    (f, "That is f(x) itself, not its derivative: use autograd.grad(decaying_cosine)."),
]


class PointParams(Params):
    xs: list[float] = [-7.5, -2.0, 0.0, 0.5, 1.0, 3.3, 9.0]
    n_random: int = 0
    low: float = -10.0
    high: float = 10.0
    rtol: float = 1e-10
    atol: float = 1e-12


def _points(p, rng):
    return [float(x) for x in p.xs] + [float(x) for x in rng.uniform(p.low, p.high, p.n_random)]


def _scalars(got, xs, fname):
    return [as_scalar(g, f"{fname}({x:g})") for g, x in zip(as_list(got, len(xs), fname), xs)]


class _Kind(CheckKind):
    Params = PointParams

    def cases(self, p, rng):
        return {"xs": _points(p, rng)}


@register
class Values(_Kind):
    """decaying_cosine(x) equals exp(-x/10) cos(x)."""
    name = "values"

    @staticmethod
    def probe(sub, cases):
        return [sub.decaying_cosine(x) for x in cases["xs"]]

    def verify(self, p, cases, got):
        xs = cases["xs"]
        assert_all_close(_scalars(got, xs, "decaying_cosine"), [f(x) for x in xs],
                         [f"x = {x:g}" for x in xs], "decaying_cosine(x)", p.rtol, p.atol,
                         hints=[([h(x) for x in xs], text) for h, text in VALUE_HINTS])


@register
class Gradient(_Kind):
    """decaying_cosine_grad(x) equals the analytic derivative, computed by autograd
    (runtime evidence: one autograd gradient per call; it can only take points away)."""
    name = "gradient"

    def target(self, p):
        return (f"decaying_cosine_grad(x) equals the derivative (relative error at most "
                f"{p.rtol:g}), computed by autograd.grad: one autograd gradient per call, "
                "not a derivative typed in by hand.")

    @staticmethod
    def probe(sub, cases):
        from grader.checks.evidence import GRADIENTS, CallLog
        with CallLog(GRADIENTS, sub.namespace) as log:
            values = [sub.decaying_cosine_grad(x) for x in cases["xs"]]
        return {"values": values, "calls": log.report()}

    def verify(self, p, cases, got):
        xs = cases["xs"]
        values = got.get("values") if isinstance(got, dict) else got
        assert_all_close(_scalars(values, xs, "decaying_cosine_grad"), [df(x) for x in xs],
                         [f"x = {x:g}" for x in xs], "the derivative", p.rtol, p.atol,
                         hints=[([h(x) for x in xs], text) for h, text in GRAD_HINTS])
        taken = evidence.too_few(got.get("calls") if isinstance(got, dict) else None,
                                 ["gradient"], len(xs))
        if taken is not None:
            raise Fail(f"decaying_cosine_grad gives the right numbers, but autograd computed "
                       f"{taken} of the {len(xs)} derivatives: the docstring asks for "
                       "autograd.grad(decaying_cosine), not a derivative typed in by hand.")


class FDParams(PointParams):
    h: float = 1e-6
    fd_rtol: float = 1e-7
    fd_atol: float = 1e-8


@register
class AutogradTraceable(_Kind):
    """autograd.grad can differentiate decaying_cosine (no math.*, no float()),
    what it gives agrees with central differences of the same function, and it
    is the derivative of exp(-x/10) cos(x)."""
    name = "autograd_traceable"
    Params = FDParams

    def cases(self, p, rng):
        return {"xs": _points(p, rng), "h": p.h}

    @staticmethod
    def probe(sub, cases):
        import autograd
        h = cases["h"]
        grad = autograd.grad(sub.decaying_cosine)
        return {"autograd": [grad(x) for x in cases["xs"]],
                "plus": [sub.decaying_cosine(x + h) for x in cases["xs"]],
                "minus": [sub.decaying_cosine(x - h) for x in cases["xs"]]}

    def verify(self, p, cases, got):
        xs, labels = cases["xs"], [f"x = {x:g}" for x in cases["xs"]]
        if not isinstance(got, dict):
            raise Fail("unexpected probe result", status="error")
        traced = _scalars(got.get("autograd"), xs, "autograd.grad(decaying_cosine)")
        plus = np.array(_scalars(got.get("plus"), xs, "decaying_cosine"))
        minus = np.array(_scalars(got.get("minus"), xs, "decaying_cosine"))
        fd = (plus - minus) / (2 * cases["h"])
        assert_all_close(traced, list(fd), labels, "autograd's derivative vs central "
                         "differences of your decaying_cosine", p.fd_rtol, p.fd_atol)
        # A function autograd can trace is worth nothing if it is the wrong one
        # (a constant traces fine): the traced derivative must also be right.
        assert_all_close(traced, [df(x) for x in xs], labels,
                         "autograd.grad(decaying_cosine)(x)", p.fd_rtol, p.fd_atol,
                         hints=[([h(x) for x in xs], text) for h, text in GRAD_HINTS])
