"""The student's own GD helper is called `solve` (and its step-size helper `inv_curvature`):
names a closed-form scan matches, but both are plain numpy/autograd code of the submission,
so a rule that resolves names before judging must accept them."""
# exercise: linreg_bias
import autograd
import numpy as np


def inv_curvature(xtilde_NE, sigma):
    """1 / (largest eigenvalue of the Hessian), by power iteration."""
    h_EE = xtilde_NE.T @ xtilde_NE / sigma ** 2
    v_E = np.ones(h_EE.shape[0])
    for _ in range(200):
        v_E = h_EE @ v_E
        v_E = v_E / np.linalg.norm(v_E)
    return 1.0 / float(v_E @ h_EE @ v_E)


def solve(loss, w0_E, step_size, max_iters=100000):
    """Gradient descent on loss until the step is tiny (no linear algebra solver here)."""
    grad = autograd.grad(loss)
    w_E = np.array(w0_E, dtype=np.float64)
    for _ in range(max_iters):
        dw_E = step_size * grad(w_E)
        w_E = w_E - dw_E
        if np.linalg.norm(dw_E) < 1e-12 * (1.0 + np.linalg.norm(w_E)):
            break
    return w_E


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xt = add_bias_column(x_ND)
    y_N = np.asarray(y_N, dtype=np.float64)
    return solve(lambda w: linreg_neg_log_lik(w, xt, y_N, sigma), np.zeros(xt.shape[1]),
                 inv_curvature(xt, sigma))
