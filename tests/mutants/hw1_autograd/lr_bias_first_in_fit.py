"""add_bias_column is right, but the fit builds its own design matrix with the ones FIRST
and returns [b, w_1, ..., w_D]."""
# exercise: linreg_bias
import autograd
import numpy as np


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    x_ND = np.asarray(x_ND, dtype=np.float64).reshape(len(y_N), -1)
    xt = np.hstack([np.ones((x_ND.shape[0], 1)), x_ND])
    grad = autograd.grad(lambda w: linreg_neg_log_lik(w, xt, y_N, sigma))
    step = 1.0 / np.linalg.norm(xt.T @ xt / sigma ** 2)
    w = np.zeros(xt.shape[1])
    for _ in range(50000):
        dw = step * grad(w)
        w = w - dw
        if np.linalg.norm(dw) < 1e-12 * (1.0 + np.linalg.norm(w)):
            break
    return w
