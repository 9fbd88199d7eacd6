"""Fits weights only (through the origin) and reports a zero bias."""
# exercise: linreg_bias
import autograd
import numpy as np


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    x_ND = np.asarray(x_ND, dtype=np.float64).reshape(len(y_N), -1)
    grad = autograd.grad(lambda w: linreg_neg_log_lik(w, x_ND, y_N, sigma))
    step = 1.0 / np.linalg.norm(x_ND.T @ x_ND / sigma ** 2)
    w = np.zeros(x_ND.shape[1])
    for _ in range(20000):
        w = w - step * grad(w)
    return np.append(w, 0.0)
