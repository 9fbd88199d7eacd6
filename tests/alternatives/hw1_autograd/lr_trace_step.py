"""Step size 1/trace(H) (a looser bound than the Frobenius norm), more iterations, x.T via einsum."""
# exercise: linreg_bias
import autograd
import autograd.numpy as ag_np
import numpy as np


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    r = ag_np.einsum('ne,e->n', xtilde_NE, wtilde_E) - y_N
    return ag_np.dot(r, r) / (2.0 * sigma * sigma)


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xt = add_bias_column(x_ND)
    grad = autograd.grad(linreg_neg_log_lik)
    step = sigma ** 2 / np.trace(xt.T @ xt)
    w = np.zeros(xt.shape[1])
    for _ in range(200000):
        dw = step * grad(w, xt, y_N, sigma)
        w = w - dw
        if np.max(np.abs(dw)) < 1e-13 * (1 + np.max(np.abs(w))):
            break
    return w
