"""Gradient descent whose step size comes from the largest singular value of X~
(np.linalg.svd with compute_uv=False: values only), a helper named `solve` that runs the
descent, and np.linalg.norm in the stopping rule: none of that is a closed form."""
# exercise: linreg_bias
import autograd
import numpy as np


def solve(loss, w_E, step_size):
    grad = autograd.grad(loss)
    for _ in range(100000):
        step_E = step_size * grad(w_E)
        w_E = w_E - step_E
        if np.linalg.norm(step_E) < 1e-12 * (1.0 + np.linalg.norm(w_E)):
            break
    return w_E


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xtilde_NE = add_bias_column(x_ND)
    y_N = np.asarray(y_N, dtype=np.float64)
    s_max = np.linalg.svd(xtilde_NE, compute_uv=False)[0]
    return solve(lambda w: linreg_neg_log_lik(w, xtilde_NE, y_N, sigma),
                 np.zeros(xtilde_NE.shape[1]), sigma ** 2 / s_max ** 2)
