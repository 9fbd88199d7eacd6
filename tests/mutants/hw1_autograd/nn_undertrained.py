"""Copies the notebook's plain GD (step 1e-6, 300 iterations) on raw data: underfits."""
# exercise: nn_fit
import autograd
import numpy as np


def fit_nn(x_ND, y_N):
    prng = np.random.RandomState(0)
    params = make_nn_params_as_list_of_dicts(
        [10], x_ND.shape[1], 1, weight_fill_func=lambda s: 0.1 * prng.randn(*s))
    grad = autograd.grad(lambda p: nn_regression_loss(p, x_ND, y_N))
    for _ in range(300):
        g = grad(params)
        params = [{k: l[k] - 1e-6 * gl[k] for k in l} for l, gl in zip(params, g)]
    return params
