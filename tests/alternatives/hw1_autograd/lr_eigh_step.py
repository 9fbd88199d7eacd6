"""Gradient descent whose step size is 1 / the largest eigenvalue of the Hessian, from
np.linalg.eigh (the eigenvectors are discarded): a step size, not a closed form."""
# exercise: linreg_bias
import autograd
import numpy as np


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xtilde_NE = add_bias_column(x_ND)
    y_N = np.asarray(y_N, dtype=np.float64)
    eigenvalues_E, _ = np.linalg.eigh(xtilde_NE.T @ xtilde_NE / sigma ** 2)
    step_size = 1.0 / eigenvalues_E[-1]
    grad = autograd.grad(lambda w: linreg_neg_log_lik(w, xtilde_NE, y_N, sigma))
    wtilde_E = np.zeros(xtilde_NE.shape[1])
    for _ in range(100000):
        step_E = step_size * grad(wtilde_E)
        wtilde_E = wtilde_E - step_E
        if np.linalg.norm(step_E) < 1e-12 * (1.0 + np.linalg.norm(wtilde_E)):
            break
    return wtilde_E
