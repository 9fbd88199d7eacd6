import autograd
import autograd.numpy as ag_np
import numpy as np


def add_bias_column(x_ND):
    x = np.asarray(x_ND, dtype=float)
    return np.column_stack([x.reshape(len(x), -1), np.ones(len(x))])


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    return 0.5 / sigma ** 2 * ag_np.sum((y_N - ag_np.dot(xtilde_NE, wtilde_E)) ** 2)


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    X = add_bias_column(x_ND)
    lr = sigma ** 2 / np.linalg.eigvalsh(X.T @ X)[-1]   # 1 / largest curvature
    dL = autograd.grad(linreg_neg_log_lik)
    w = np.zeros(X.shape[1])
    for _ in range(200000):
        step = lr * dL(w, X, y_N, sigma)
        w = w - step
        if np.abs(step).max() < 1e-13 * (1.0 + np.abs(w).max()):
            break
    return w
