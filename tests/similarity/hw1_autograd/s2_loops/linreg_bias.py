import autograd
import autograd.numpy as ag_np
import numpy as np


def add_bias_column(x_ND):
    if x_ND.ndim == 1:
        N, D = x_ND.shape[0], 1
    else:
        N, D = x_ND.shape
    out = np.ones((N, D + 1))
    for n in range(N):
        for d in range(D):
            if x_ND.ndim == 1:
                out[n, d] = x_ND[n]
            else:
                out[n, d] = x_ND[n, d]
    return out


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    E = xtilde_NE.shape[1]
    yhat = 0.0
    for e in range(E):
        yhat = yhat + wtilde_E[e] * xtilde_NE[:, e]
    resid = y_N - yhat
    return ag_np.sum(resid * resid) / (2.0 * sigma * sigma)


def _biggest_curvature(xt, sigma):
    # power iteration on xt^T xt / sigma^2
    E = xt.shape[1]
    A = np.dot(xt.T, xt) / sigma ** 2
    vec = np.ones(E)
    lam = 0.0
    for it in range(500):
        new = np.dot(A, vec)
        lam_new = np.sqrt(np.sum(new ** 2))
        vec = new / lam_new
        if abs(lam_new - lam) < 1e-10 * lam_new:
            break
        lam = lam_new
    return lam_new


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xt = add_bias_column(x_ND)
    E = xt.shape[1]
    step = 0.9 / _biggest_curvature(xt, sigma)
    grad_fn = autograd.grad(linreg_neg_log_lik)
    w = np.zeros(E)
    first_size = None
    for it in range(300000):
        gr = grad_fn(w, xt, y_N, sigma)
        size = 0.0
        for e in range(E):
            size += gr[e] ** 2
        size = np.sqrt(size)
        if first_size is None:
            first_size = size
        if size <= 1e-11 * first_size:
            break
        new_w = np.zeros(E)
        for e in range(E):
            new_w[e] = w[e] - step * gr[e]
        w = new_w
    return w
