"""Standardises the features inside the fit (GD on a well-conditioned problem, autograd
gradients), then maps the weights and bias back to the raw features."""
# exercise: linreg_bias
import autograd
import numpy as np


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    x_ND = np.asarray(x_ND, dtype=np.float64).reshape(len(y_N), -1)
    y_N = np.asarray(y_N, dtype=np.float64)
    mean_D, std_D = x_ND.mean(axis=0), x_ND.std(axis=0)
    std_D = np.where(std_D > 0, std_D, 1.0)
    zt = add_bias_column((x_ND - mean_D) / std_D)
    grad = autograd.grad(lambda v: linreg_neg_log_lik(v, zt, y_N, sigma))
    step = 1.0 / np.linalg.eigvalsh(zt.T @ zt / sigma ** 2)[-1]
    v = np.zeros(zt.shape[1])
    for _ in range(20000):
        dv = step * grad(v)
        v = v - dv
        if np.max(np.abs(dv)) < 1e-14 * (1.0 + np.max(np.abs(v))):
            break
    w_D = v[:-1] / std_D
    return np.append(w_D, v[-1] - np.dot(w_D, mean_D))
