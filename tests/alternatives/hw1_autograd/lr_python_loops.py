"""Plain Python loops: the bias column row by row, predictions as a loop over the E columns,
and the GD update coordinate by coordinate."""
# exercise: linreg_bias
import autograd
import numpy as np


def add_bias_column(x_ND):
    x_ND = np.asarray(x_ND, dtype=np.float64)
    rows = []
    for n in range(x_ND.shape[0]):
        row = [x_ND[n]] if x_ND.ndim == 1 else [x_ND[n, d] for d in range(x_ND.shape[1])]
        rows.append(row + [1.0])
    return np.array(rows, dtype=np.float64)


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    yhat_N = 0.0
    for e in range(xtilde_NE.shape[1]):
        yhat_N = yhat_N + xtilde_NE[:, e] * wtilde_E[e]
    resid_N = y_N - yhat_N
    return (resid_N * resid_N).sum() / (2.0 * sigma ** 2)


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xt = add_bias_column(x_ND)
    y_N = np.asarray(y_N, dtype=np.float64)
    n_coef = xt.shape[1]
    hess = xt.T @ xt / sigma ** 2
    frob = 0.0
    for i in range(n_coef):
        for j in range(n_coef):
            frob += hess[i, j] ** 2
    step = 1.0 / frob ** 0.5
    grad = autograd.grad(linreg_neg_log_lik)
    w = [0.0] * n_coef
    for _ in range(50000):
        g = grad(np.array(w), xt, y_N, sigma)
        biggest = 0.0
        for e in range(n_coef):
            w[e] = w[e] - step * g[e]
            biggest = max(biggest, abs(step * g[e]))
        if biggest < 1e-12 * (1.0 + max(abs(v) for v in w)):
            break
    return np.array(w)
