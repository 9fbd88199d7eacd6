import autograd
import autograd.numpy as ag_np
import numpy as np
from autograd.misc.optimizers import sgd


def add_bias_column(x_ND):
    as_2d = lambda a: a[:, None] if a.ndim == 1 else a
    x = as_2d(np.asarray(x_ND, dtype=float))
    return np.c_[x, np.ones(x.shape[0])]


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    residuals = lambda w: y_N - ag_np.dot(xtilde_NE, w)
    return ag_np.sum(ag_np.square(residuals(wtilde_E))) * (0.5 / sigma ** 2)


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    X = add_bias_column(x_ND)
    loss_of = lambda w: linreg_neg_log_lik(w, X, y_N, sigma)
    # curvature of the quadratic along its steepest / flattest directions
    sv = np.linalg.svd(X, compute_uv=False)
    lam_max, lam_min = (sv[0] / sigma) ** 2, (sv[-1] / sigma) ** 2
    step = 1.0 / lam_max
    # the error shrinks by (1 - lam_min / lam_max) per step: enough steps for a factor 1e-13
    n_steps = int(min(np.ceil(30.0 * lam_max / lam_min), 300000)) + 10
    return sgd(lambda w, i: autograd.grad(loss_of)(w), np.zeros(X.shape[1]),
               num_iters=n_steps, step_size=step, mass=0.0)
