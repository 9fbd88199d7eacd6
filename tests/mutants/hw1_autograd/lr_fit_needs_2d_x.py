"""fit_linreg_with_bias unpacks `N, D = x_ND.shape` and builds x~ itself, so the docstring's
1D x_ND of shape (N,) for D = 1 raises (every public input is 2D)."""
# exercise: linreg_bias
import autograd
import numpy as np


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    N, D = x_ND.shape
    xtilde_NE = np.hstack([x_ND, np.ones((N, 1))])
    grad = autograd.grad(lambda w: linreg_neg_log_lik(w, xtilde_NE, y_N, sigma))
    hessian_EE = xtilde_NE.T @ xtilde_NE / sigma ** 2
    step_size = 1.0 / np.sqrt(np.sum(np.square(hessian_EE)))
    wtilde_E = np.zeros(D + 1)
    for _ in range(50000):
        g_E = grad(wtilde_E)
        wtilde_E = wtilde_E - step_size * g_E
        if np.linalg.norm(step_size * g_E) < 1e-12 * (1.0 + np.linalg.norm(wtilde_E)):
            break
    return wtilde_E
