"""Feedback plots are drawn from plain data in the parent, and only when they show something."""
import numpy as np

from grader.reports import plots as plotdata
from grader.checks.hw2_torch.torch_gd import exact_gd


def test_torch_gd_plot_compares_student_losses_with_exact_gd():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    _, exact = exact_gd(x, y, 0.1, 8)
    cases = {"x": x, "y": y, "runs": [{"lr": 0.1, "n_iters": 8}, {"lr": 0.1, "n_iters": 1},
                                      {"defaults": True}]}
    value = [{"value": [[0.0, 0.0], list(exact * 1.5)]}, {"value": [[0.0, 0.0], [1.0]]},
             {"raised": "RuntimeError"}]
    plots = plotdata.torch_gd(cases, value)
    assert len(plots) == 1
    series = {s["label"]: s["y"] for s in plots[0]["series"]}
    assert np.allclose(series["exact gradient descent"], exact)
    assert np.allclose(series["your losses"], exact * 1.5)


def test_malformed_values_give_no_plot():
    assert plotdata.torch_gd({"x": np.zeros((2, 2)), "y": np.zeros(2),
                              "runs": [{"lr": 0.1, "n_iters": 9}]}, ["junk"]) == []
