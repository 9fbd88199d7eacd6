"""Exercise 3 -- linear regression with a bias, fitted by gradient descent."""
import autograd
import autograd.numpy as ag_np
import numpy as np


def _as_matrix(x_ND):
    x = np.asarray(x_ND, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, np.newaxis]
    return x


def add_bias_column(x_ND):
    x = _as_matrix(x_ND)
    ones = np.ones((x.shape[0], 1))
    return np.hstack((x, ones))


def _predict(wtilde_E, xtilde_NE):
    return ag_np.dot(xtilde_NE, wtilde_E)


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    residual = y_N - _predict(wtilde_E, xtilde_NE)
    return ag_np.sum(ag_np.square(residual)) / (2.0 * sigma ** 2)


def _safe_step_size(xtilde_NE, sigma):
    """1 / trace(H) is below 1 / lambda_max(H) for H = X^T X / sigma^2 (all eigenvalues >= 0)."""
    trace_of_hessian = np.sum(np.square(xtilde_NE)) / sigma ** 2
    return 1.0 / trace_of_hessian


class _GradientDescent:
    def __init__(self, loss, step_size, rel_tol=1e-12, max_iters=500000):
        self.grad = autograd.grad(loss)
        self.step_size = step_size
        self.rel_tol = rel_tol
        self.max_iters = max_iters
        self.n_iters = 0

    def minimize(self, w):
        first_norm = None
        for self.n_iters in range(1, self.max_iters + 1):
            grad = self.grad(w)
            norm = np.linalg.norm(grad)
            if first_norm is None:
                first_norm = norm
            if norm <= self.rel_tol * first_norm:
                break
            w = w - self.step_size * grad
        return w


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xtilde_NE = add_bias_column(x_ND)

    def loss(wtilde_E):
        return linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma)

    solver = _GradientDescent(loss, _safe_step_size(xtilde_NE, sigma))
    return solver.minimize(np.zeros(xtilde_NE.shape[1]))
