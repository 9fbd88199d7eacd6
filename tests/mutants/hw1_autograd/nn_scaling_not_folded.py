"""Trains on standardised data but returns the weights without folding the scaling back."""
# exercise: nn_fit
import autograd
import autograd.numpy as ag_np
import numpy as np


def fit_nn(x_ND, y_N):
    z = (x_ND - x_ND.mean(0)) / x_ND.std(0)
    t = (y_N - y_N.mean()) / y_N.std()
    prng = np.random.RandomState(0)
    params = make_nn_params_as_list_of_dicts(
        [32], x_ND.shape[1], 1, weight_fill_func=lambda s: prng.randn(*s) / np.sqrt(s[0]))
    grad = autograd.grad(lambda p: ag_np.mean(ag_np.square(t - predict_y_given_x_with_NN(z, p))))
    return adam(grad, params, n_iters=1500, step_size=0.01)
