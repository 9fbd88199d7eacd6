"""Checks of exercise trid: the function, its gradient, the GD helper, the minimiser."""
import numpy as np

from grader.checks import hints as known
from grader.checks.fail import Fail, differing, fmt
from grader.checks import evidence
from grader.checks.numerics import as_array, as_list, as_scalar, assert_all_close
from grader.checks.registry import CheckKind, Params, register
from grader.checks.sourcescan import CLOSED_FORM_SOLVERS, source_flags


def trid(x):
    return float(np.sum((x - 1.0) ** 2) - np.sum(x[1:] * x[:-1]))


def trid_grad(x):
    """d/dx_d = 2 (x_d - 1) - x_{d-1} - x_{d+1}, with x_0 = x_{D+1} = 0."""
    nbr = np.zeros_like(x)
    nbr[1:] += x[:-1]
    nbr[:-1] += x[1:]
    return 2.0 * (x - 1.0) - nbr


def trid_argmin(d):
    """x*_i = i (D + 1 - i) for i = 1..D."""
    i = np.arange(1, d + 1, dtype=np.float64)
    return i * (d + 1 - i)


class PointParams(Params):
    dims: list[int] = [2, 3]
    points_per_dim: int = 3
    scale: float = 5.0
    rtol: float = 1e-10
    atol: float = 1e-10


def _points(p, rng):
    pts = []
    for d in p.dims:
        if d < 2:
            raise ValueError("Trid needs D >= 2")
        pts.append(trid_argmin(d))
        pts += [rng.uniform(-p.scale, p.scale, d) for _ in range(p.points_per_dim)]
    return pts


def _label(x):
    return f"x_D = {fmt(x, 4)} (D = {x.size})"


class _Kind(CheckKind):
    Params = PointParams

    def cases(self, p, rng):
        return {"xs": _points(p, rng)}


@register
class Values(_Kind):
    """trid(x_D) equals the formula for several D, including at the minimiser."""
    name = "values"

    @staticmethod
    def probe(sub, cases):
        return [sub.trid(x) for x in cases["xs"]]

    def verify(self, p, cases, got):
        xs = cases["xs"]
        vals = [as_scalar(g, f"trid at D = {x.size}") for g, x in zip(as_list(got, len(xs), "trid"), xs)]
        hints = [([float(np.sum((x - 1) ** 2) - np.sum(x * np.roll(x, 1))) for x in xs],
                  "The coupling sum starts at d = 2 (pairs x_d x_{d-1}); np.roll wraps around."),
                 ([float(np.sum((x - 1) ** 2) + np.sum(x[1:] * x[:-1])) for x in xs],
                  "The coupling term is subtracted."),
                 ([float(np.sum(x ** 2) - np.sum(x[1:] * x[:-1])) for x in xs],
                  "The first sum is of (x_d - 1)^2.")]
        assert_all_close(vals, [trid(x) for x in xs], [_label(x) for x in xs], "trid(x_D)",
                         p.rtol, p.atol, hints)


@register
class Gradient(_Kind):
    """trid_grad(x_D) equals the analytic gradient, computed by autograd (runtime
    evidence: one autograd gradient per call; it can only take points away)."""
    name = "gradient"

    def target(self, p):
        return (f"trid_grad(x_D) equals the analytic gradient (relative error at most "
                f"{p.rtol:g}), computed by autograd.grad: one autograd gradient per call.")

    @staticmethod
    def probe(sub, cases):
        from grader.checks.evidence import GRADIENTS, CallLog
        with CallLog(GRADIENTS, sub.namespace) as log:
            values = [sub.trid_grad(x) for x in cases["xs"]]
        return {"values": values, "calls": log.report()}

    def verify(self, p, cases, got):
        xs = cases["xs"]
        values = got.get("values") if isinstance(got, dict) else got
        grads = [as_array(g, (x.size,), f"trid_grad at D = {x.size}")
                 for g, x in zip(as_list(values, len(xs), "trid_grad"), xs)]
        assert_all_close(grads, [trid_grad(x) for x in xs], [_label(x) for x in xs],
                         "the gradient", p.rtol, p.atol,
                         hints=[([trid_grad(x) * -1 for x in xs], "The sign is flipped.")])
        taken = evidence.too_few(got.get("calls") if isinstance(got, dict) else None,
                                 ["gradient"], len(xs))
        if taken is not None:
            raise Fail(f"trid_grad gives the right numbers, but autograd computed {taken} of "
                       f"the {len(xs)} gradients: the docstring asks for autograd.grad(trid), "
                       "not a gradient written by hand.")


@register
class AutogradTraceable(_Kind):
    """autograd.grad can differentiate the student's trid, giving the analytic gradient."""
    name = "autograd_traceable"

    @staticmethod
    def probe(sub, cases):
        import autograd
        grad = autograd.grad(sub.trid)
        return [grad(x) for x in cases["xs"]]

    def verify(self, p, cases, got):
        xs = cases["xs"]
        grads = [as_array(g, (x.size,), "autograd.grad(trid)")
                 for g, x in zip(as_list(got, len(xs), "autograd.grad(trid)"), xs)]
        assert_all_close(grads, [trid_grad(x) for x in xs], [_label(x) for x in xs],
                         "autograd.grad(trid)(x_D)", p.rtol, p.atol)


# ----------------------------------------------------------- the GD helper
class GDParams(Params):
    dims: list[int] = [3]
    n_iters: int = 25
    step_size: float = 0.05
    rtol: float = 1e-12
    atol: float = 1e-12


def quadratic_problem(rng, d):
    """f(x) = 0.5 x^T A x - b^T x with A symmetric positive definite, shape (D, D)."""
    q = rng.normal(size=(d, d))
    a = q @ q.T / d + np.eye(d)
    return a, rng.normal(size=d)


def exact_gd(a, b, x0, n_iters, step):
    """The iterates gradient descent must produce: list of n_iters arrays."""
    xs = [x0.copy()]
    for _ in range(n_iters - 1):
        xs.append(xs[-1] - step * (a @ xs[-1] - b))
    return xs


@register
class GDIterates(CheckKind):
    """run_many_iters_of_gradient_descent reproduces exact GD on a quadratic,
    keeps a history with one entry per iteration and leaves init_x_D alone."""
    name = "gd_iterates"
    Params = GDParams

    def cases(self, p, rng):
        problems = []
        for d in p.dims:
            a, b = quadratic_problem(rng, d)
            problems.append({"a": a, "b": b, "x0": rng.normal(scale=3.0, size=d)})
        return {"problems": problems, "n_iters": p.n_iters, "step_size": p.step_size}

    @staticmethod
    def probe(sub, cases):
        out = []
        for prob in cases["problems"]:
            a, b, x0 = prob["a"], prob["b"], prob["x0"]
            init = x0.copy()

            def f(x):
                return 0.5 * x @ a @ x - b @ x

            def g(x):
                return a @ x - b

            x_final, history = sub.run_many_iters_of_gradient_descent(
                f, g, init_x_D=init, n_iters=cases["n_iters"], step_size=cases["step_size"])
            out.append({"x": x_final, "history": history, "init_after": init})
        return out

    def verify(self, p, cases, got):
        for prob, res in zip(cases["problems"], as_list(got, len(cases["problems"]),
                                                            "run_many_iters_of_gradient_descent")):
            _verify_gd(p, prob, res, cases["n_iters"], cases["step_size"])


def _verify_gd(p, prob, res, n_iters, step):
    a, b, x0 = prob["a"], prob["b"], prob["x0"]
    d = x0.size
    if not np.array_equal(np.asarray(res["init_after"], dtype=float), x0):
        hist_x = res["history"].get("x_D") if isinstance(res["history"], dict) else None
        aliased = known.aliasing_hint(hist_x, "history['x_D']") if isinstance(hist_x, list) else None
        raise Fail("init_x_D was modified by run_many_iters_of_gradient_descent: copy it "
                   "before updating (x_D = copy.deepcopy(init_x_D)) and update with "
                   "x_D = x_D - step_size * g(x_D), not in place."
                   + (f" Also, {aliased}" if aliased else ""))
    hist = res["history"]
    if not isinstance(hist, dict) or not {"iter", "f", "x_D", "g_D"} <= set(hist):
        keys = sorted(map(str, hist)) if isinstance(hist, dict) else describe_type(hist)
        raise Fail(f"history should be a dict with keys 'iter', 'f', 'x_D', 'g_D'; got {keys}.")
    for key in ("iter", "f", "x_D", "g_D"):
        if not isinstance(hist[key], list) or len(hist[key]) != n_iters:
            n = len(hist[key]) if isinstance(hist[key], list) else type(hist[key]).__name__
            raise Fail(f"history['{key}'] should be a list with one entry per iteration "
                       f"({n_iters} for n_iters={n_iters}), got {n}. Entry 0 is the start "
                       "point, so there are n_iters - 1 updates.")
    if [int(i) if isinstance(i, (int, float)) else None for i in hist["iter"]] != list(range(n_iters)):
        raise Fail(f"history['iter'] should be 0, 1, ..., {n_iters - 1}; got {fmt(hist['iter'])}.")
    expected = exact_gd(a, b, x0, n_iters, step)
    xs = [as_array(x, (d,), f"history['x_D'][{t}]") for t, x in enumerate(hist["x_D"])]
    aliased = known.aliasing_hint(xs, "history['x_D']")
    if aliased and not np.allclose(expected[0], expected[-1]):
        raise Fail(aliased[0].upper() + aliased[1:])
    labels = [f"iteration {t}" for t in range(n_iters)]
    assert_all_close(xs, expected, labels, "history['x_D']", p.rtol, p.atol,
                     hints=[([expected[0]] + expected[:-1], "Your iterates lag by one step: "
                             "entry 0 must be the start point and entry t the point after t updates."),
                            (_gd_plus(a, b, x0, n_iters, step), "You stepped uphill: the "
                             "update is x - step_size * g(x).")])
    fs = [as_scalar(v, f"history['f'][{t}]") for t, v in enumerate(hist["f"])]
    assert_all_close(fs, [0.5 * x @ a @ x - b @ x for x in expected], labels, "history['f']",
                     p.rtol, p.atol)
    gs = [as_array(v, (d,), f"history['g_D'][{t}]") for t, v in enumerate(hist["g_D"])]
    assert_all_close(gs, [a @ x - b for x in expected], labels, "history['g_D']", p.rtol, p.atol)
    x_final = as_array(res["x"], (d,), "the returned x_D")
    counted = known.update_count_slip([x_final], [exact_gd(a, b, x0, n_iters + 1, step)],
                                      [n_iters - 1], "n_iters - 1", atol=p.atol)
    assert_all_close([x_final], [expected[-1]], ["the end"], "the returned x_D", p.rtol, p.atol,
                     hints=[counted] if counted else [])


def _gd_plus(a, b, x0, n_iters, step):
    return exact_gd(a, b, x0, n_iters, -step)


def describe_type(value):
    return type(value).__name__


# ----------------------------------------------------------- minimize_trid
class MinimizeParams(Params):
    dims: list[int] = [2]
    starts_per_dim: int = 2
    include_seed_start: bool = True
    scale: float = 10.0
    tol: float = 1e-5
    min_gradient_calls: int = 2   # gradients per run (trid_grad or autograd): GD takes one per step


@register
class Minimize(CheckKind):
    """minimize_trid reaches the analytic minimiser from several starts
    (max-norm error at most tol); partial credit for each start reached."""
    name = "minimize"
    Params = MinimizeParams

    def target(self, p):
        return (f"minimize_trid lands within {p.tol:g} of the minimiser in every coordinate, "
                "from every start, by gradient descent from init_x_D: at least "
                f"{p.min_gradient_calls} gradient evaluations per run, no linear solver, and a "
                "result computed from the values of init_x_D, not only from its size "
                "(partial credit per start reached).")

    def flags(self, p, cases, got):
        reports = [g.get("calls") if isinstance(g, dict) else None for g in got] \
            if isinstance(got, list) else []
        return (evidence.flags(reports, MINIMIZE) + _start_flags(cases["starts"], reports)
                + source_flags(cases.get("_source"), [MINIMIZE], CLOSED_FORM_SOLVERS))

    def cases(self, p, rng):
        starts = []
        for d in p.dims:
            if p.include_seed_start and d == 2:
                starts.append(np.array([1.0, -1.0]))
            starts += [rng.uniform(-p.scale, p.scale, d) for _ in range(p.starts_per_dim)]
        return {"starts": starts}

    @staticmethod
    def probe(sub, cases):
        from grader.checks.evidence import GRADIENTS, SOLVERS, CallLog
        out = []
        for x0 in cases["starts"]:
            with CallLog(SOLVERS + GRADIENTS, sub.namespace, watch=WATCHED) as log:
                x = sub.minimize_trid(x0.copy())
            out.append({"x": x, "calls": log.report()})
        return out

    def verify(self, p, cases, got):
        starts = cases["starts"]
        misses = []
        got = as_list(got, len(starts), "minimize_trid")
        _require_descent_from_start(cases.get("_source"))
        for x0, g in zip(starts, got):
            _require_gradient_steps(p, x0, g.get("calls") if isinstance(g, dict) else None)
        for x0, g in zip(starts, got):
            x = as_array(g.get("x") if isinstance(g, dict) else g, (x0.size,),
                         f"minimize_trid from {fmt(x0, 3)}")
            err = float(np.max(np.abs(x - trid_argmin(x0.size))))
            if err > p.tol:
                misses.append((err, x0, x))
        if misses:
            err, x0, x = max(misses, key=lambda m: m[0])
            d = x0.size
            best_text, x_text = differing(trid_argmin(d), x)
            raise Fail(f"minimize_trid missed the minimiser on {len(misses)} of {len(starts)} "
                       f"starts. Worst: from {fmt(x0, 3)} (D = {d}) it returned {x_text}; the "
                       f"minimiser is {best_text} (x*_d = d (D+1-d)), max error "
                       f"{err:.3g} > {p.tol:g}. Run more iterations or a larger step (the "
                       "Hessian's eigenvalues are below 4, so a step up to 0.5 is stable), and "
                       "stop on a small gradient rather than a fixed count.",
                       fraction=1 - len(misses) / len(starts))


WATCHED = ("trid_grad", "trid")
MINIMIZE = "minimize_trid"


def _start_flags(starts, reports):
    """A review flag when run-time evidence shows a descent that did not start at init_x_D:
    the first call of trid or trid_grad was elsewhere (a heuristic, so a flag, not points:
    a student may evaluate trid somewhere else first)."""
    for x0, report in zip(starts, reports):
        first = evidence.first_point(report)
        if first is not None and (first.shape != x0.shape or not np.allclose(first, x0)):
            return [f"start: minimize_trid from {fmt(x0, 3)} first evaluated trid or "
                    f"trid_grad at {fmt(first, 3)}, not at init_x_D (run-time evidence)"]
    return []


def _require_descent_from_start(source):
    """Fail if the parent's scan of the graded source shows a linear solver in
    minimize_trid or its helpers, or a result that does not depend on the values of
    init_x_D (only on its size: the formula d (D + 1 - d), or GD started from it)."""
    if source is None:
        return
    hits = source.find_calls([MINIMIZE], CLOSED_FORM_SOLVERS)
    if hits:
        raise Fail(f"{hits[0]} is a linear solver: the minimiser must come from gradient "
                   "descent, not from solving the linear system grad = 0.")
    if source.uses_argument_values(MINIMIZE, "init_x_D") is False:
        raise Fail("minimize_trid's result does not depend on the values of init_x_D, only "
                   "on its size: gradient descent must START from init_x_D (not from the "
                   "known minimiser d (D + 1 - d), which is not the exercise).")


def _require_gradient_steps(p, x0, report):
    """Fail if runtime evidence shows a linear solver call or too few gradients (its own
    trid_grad or autograd); a missing report costs nothing (evidence only takes away)."""
    solvers = evidence.solvers_called(report)
    if solvers:
        raise Fail(f"minimize_trid from {fmt(x0, 3)} called {', '.join(solvers)}: the "
                   "minimiser must come from gradient descent, not from solving the linear "
                   "system grad = 0.")
    grads = evidence.too_few(report, ["trid_grad", "gradient"], p.min_gradient_calls)
    if grads is not None:
        raise Fail(f"minimize_trid from {fmt(x0, 3)} (D = {x0.size}) evaluated the gradient "
                   f"{grads} time(s): gradient descent takes one per step (full marks need at "
                   f"least {p.min_gradient_calls}). Returning the closed-form minimiser "
                   "d (D + 1 - d) is not the exercise: run GD with trid_grad.")
