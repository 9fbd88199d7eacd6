"""Trains on standardised data, but folds the input mean into the first bias with the
unscaled weights (b - mean @ w instead of b - (mean / std) @ w)."""
# exercise: nn_fit
import autograd
import autograd.numpy as ag_np
import numpy as np


def fit_nn(x_ND, y_N):
    x_mean, x_std = x_ND.mean(axis=0), x_ND.std(axis=0)
    y_mean, y_std = y_N.mean(), y_N.std()
    z_ND, t_N = (x_ND - x_mean) / x_std, (y_N - y_mean) / y_std
    prng = np.random.RandomState(0)
    params = make_nn_params_as_list_of_dicts(
        [32], x_ND.shape[1], 1, weight_fill_func=lambda s: prng.randn(*s) / np.sqrt(s[0]))
    grad = autograd.grad(
        lambda p: ag_np.mean(ag_np.square(t_N - predict_y_given_x_with_NN(z_ND, p))))
    params = adam(grad, params, n_iters=1000, step_size=0.01)
    params[0]['b'] = params[0]['b'] - np.dot(x_mean, params[0]['w'])
    params[0]['w'] = params[0]['w'] / x_std[:, np.newaxis]
    params[-1]['w'] = params[-1]['w'] * y_std
    params[-1]['b'] = params[-1]['b'] * y_std + y_mean
    return params
