"""Plain-data series for feedback plots, taken from what probes already returned.

`ObservingSession` wraps a grading session: it sees each probe's request
(the public cases) and reply (the student's plain-data value), decodes both
with `wire.decode` in the parent (never unpickling, never running student
code) and hands them to a per-kind extractor that returns small plot specs:
    {"title", "xlabel", "ylabel", "kind": "line" | "scatter", "logy",
     "series": [{"label", "x": [...], "y": [...]}]}
Feedback renders them with matplotlib (see feedback_html.py).
"""
import numpy as np

from grader import wire

MAX_POINTS = 400
MAX_PLOT_REPLY_BYTES = 256 * 1024   # correct submissions send a few KB per probe


class ObservingSession:
    """A session wrapper that collects plot specs into `plots` (a list).

    `skip`: case digests (see `case_digest`) of checks whose inputs must not
    be shown, i.e. hidden checks: no plot ever reveals hidden inputs.
    """

    def __init__(self, session, plots, skip=frozenset()):
        self.session, self.plots, self.skip = session, plots, skip

    def start(self):
        return self.session.start()

    def probe(self, request, budget):
        reply = self.session.probe(request, budget)
        try:
            # Plots are a courtesy: a reply above MAX_PLOT_REPLY_BYTES is not decoded for one.
            size = getattr(self.session, "last_reply_bytes", 0) or 0
            if reply.get("ok") and size <= MAX_PLOT_REPLY_BYTES:
                key = f"{request['assignment']}.{request['exercise']}.{request['kind']}"
                extractor = EXTRACTORS.get(key)
                if extractor and case_digest(request["cases"]) not in self.skip:
                    cases = wire.decode(request["cases"])
                    self.plots.extend(extractor(cases, wire.decode(reply.get("value"))))
        except Exception:  # noqa: BLE001 - a plot must never cost a grade
            pass
        return reply

    def stop(self):
        return self.session.stop()

    def output_mark(self):
        return self.session.output_mark()

    def output(self, since=None):
        return self.session.output(since)

    @property
    def last_cpu_s(self):
        return getattr(self.session, "last_cpu_s", None)

    @property
    def infra_fault(self):
        return getattr(self.session, "infra_fault", False)


def case_digest(encoded_cases):
    """A digest of a check's encoded public cases (deterministic: seeded)."""
    import hashlib
    import json
    return hashlib.sha1(json.dumps(encoded_cases, sort_keys=True).encode()).hexdigest()


def hidden_digests(course, assignment):
    """Digests of every hidden check's cases, for ObservingSession's `skip`."""
    from grader.judge.grade import plan_cases
    return frozenset(case_digest(plan_cases(c)[0])
                     for c in course.checks_for(assignment) if c.hidden)


def _floats(seq):
    arr = np.asarray(seq, dtype=np.float64).ravel()
    if arr.size > MAX_POINTS:
        arr = arr[np.linspace(0, arr.size - 1, MAX_POINTS).astype(int)]
    return [float(v) if np.isfinite(v) else None for v in arr]


def trid_gd(cases, value):
    """Convergence of the student's GD helper against exact GD on the same quadratic."""
    from grader.checks.hw1_autograd.trid import exact_gd
    plots = []
    for prob, res in zip(cases["problems"], value):
        a, b, x0 = prob["a"], prob["b"], prob["x0"]
        exact = [0.5 * x @ a @ x - b @ x for x in exact_gd(a, b, x0, cases["n_iters"],
                                                            cases["step_size"])]
        series = [{"label": "exact gradient descent", "x": list(range(len(exact))),
                   "y": _floats(exact)}]
        hist = res.get("history") if isinstance(res, dict) else None
        if isinstance(hist, dict) and isinstance(hist.get("f"), list):
            fs = [float(np.asarray(f, dtype=float).ravel()[0]) for f in hist["f"]]
            series.insert(0, {"label": "your iterates", "x": list(range(len(fs))),
                              "y": _floats(fs)})
        plots.append({"title": f"run_many_iters_of_gradient_descent on a quadratic, "
                               f"D = {x0.size}", "xlabel": "iteration", "ylabel": "f(x)",
                      "kind": "line", "series": series})
    return plots


def linreg_fit(cases, value):
    """Predicted vs observed y for the student's fitted wtilde and least squares."""
    from grader.checks.hw1_autograd.linreg_bias import least_squares
    c, w = cases["sets"][0], np.asarray(value["fits"][0], dtype=float).ravel()
    x, y = c["x"], c["y"]
    xt = np.hstack([x, np.ones((x.shape[0], 1))])
    if w.size != xt.shape[1]:
        return []
    best = least_squares(x, y)
    return [{"title": f"fit_linreg_with_bias on N = {x.shape[0]}, D = {x.shape[1]}",
             "xlabel": "observed y", "ylabel": "predicted y", "kind": "scatter",
             "series": [{"label": "least squares", "x": _floats(y), "y": _floats(xt @ best)},
                        {"label": "your fit", "x": _floats(y), "y": _floats(xt @ w)}]}]


def nn_fit(cases, value):
    """Predicted vs observed y on the training set for the student's trained network."""
    from grader.checks.hw1_autograd.nn_fit import as_params, forward
    params = as_params(value, "fit_nn's result")
    pred = np.asarray(forward(params, cases["x"], "tanh"), dtype=float).ravel()
    y = cases["y"]
    return [{"title": "fit_nn: your network on the training data", "xlabel": "observed y",
             "ylabel": "predicted y", "kind": "scatter",
             "series": [{"label": "ideal", "x": _floats([y.min(), y.max()]),
                         "y": _floats([y.min(), y.max()]), "line": True},
                        {"label": "your network", "x": _floats(y), "y": _floats(pred)}]}]


def torch_gd(cases, value):
    """The student's loss per iteration of fit_linear_torch against exact full-batch GD."""
    from grader.checks.hw2_torch.torch_gd import exact_gd
    plots = []
    for run, got in zip(cases["runs"], value):
        res = got.get("value") if isinstance(got, dict) else None
        if run.get("defaults") or not isinstance(res, list) or len(res) != 2:
            continue
        losses = np.asarray(res[1], dtype=float).ravel()
        if losses.size < 5:
            continue  # a curve of a step or two shows nothing
        _, exact = exact_gd(cases["x"], cases["y"], run["lr"], run["n_iters"])
        plots.append({"title": f"fit_linear_torch, lr = {run['lr']:g}", "xlabel": "iteration",
                      "ylabel": "MSE loss", "kind": "line", "logy": True,
                      "series": [{"label": "your losses", "x": list(range(losses.size)),
                                  "y": _floats(losses)},
                                 {"label": "exact gradient descent",
                                  "x": list(range(len(exact))), "y": _floats(exact)}]})
    return plots


EXTRACTORS = {
    "hw1_autograd.trid.gd_iterates": trid_gd,
    "hw1_autograd.linreg_bias.fit": linreg_fit,
    "hw1_autograd.nn_fit.fit": nn_fit,
    "hw2_torch.torch_gd.iterates": torch_gd,
}
