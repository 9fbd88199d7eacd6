# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
"""Exercise linreg_bias: linear regression with a bias column, fit by gradient descent.

Model: y_n ~ Normal(w^T x_n + b, sigma^2). Append a column of ones to the
inputs, x~_n = [x_n, 1], and a bias to the weights, w~ = [w, b], so that the
model reads y_n ~ Normal(w~^T x~_n, sigma^2). Up to a constant, the negative
log likelihood is

    L(w~) = 0.5 / sigma^2 * sum_n (y_n - w~^T x~_n)^2

Full marks need (from course.yml):
- add_bias_column (1 point): add_bias_column appends ones as the LAST column; (N,)
  counts as D = 1.
- neg_log_lik (1 point): linreg_neg_log_lik equals 0.5 / sigma^2 * sum of squared
  residuals (relative error at most 1e-10).
- neg_log_lik_gradient (1 point): autograd differentiates linreg_neg_log_lik w.r.t.
  wtilde to X~^T (X~ w - y) / sigma^2 (relative error at most 1e-10).
- fit (2 points): fit_linreg_with_bias reaches the least-squares wtilde to a relative
  error of 0.0001, by gradient descent with autograd gradients: at least 2 autograd
  gradients per fit and no closed-form solver or factorisation (solve, lstsq, inv, pinv,
  QR, Cholesky, or the vectors of SVD or eig) in the fit or its helpers (partial credit
  per data set).
- time limit: 10 s per check (fit: 60 s).
- hidden checks (3 points) hold the same standards on inputs you have not seen (other
  sizes, seeds and data).
"""
import autograd
import autograd.numpy as ag_np
import numpy as np


def add_bias_column(x_ND):
    """Append a column of ones to the inputs.

    Args
    ----
    x_ND : 2D array, shape (N, D); a 1D array of shape (N,) means D = 1.

    Returns
    -------
    xtilde_NE : 2D array, shape (N, E) with E = D + 1; the last column is 1.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    """Negative log likelihood (up to a constant) of linear regression.

    Args
    ----
    wtilde_E : 1D array, shape (E,); weights, then the bias
    xtilde_NE : 2D array, shape (N, E); inputs with the bias column
    y_N : 1D array, shape (N,); outputs
    sigma : float; the noise standard deviation

    Returns
    -------
    loss : float; 0.5 / sigma^2 * sum of squared residuals
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    """Fit weights and bias by gradient descent on `linreg_neg_log_lik`.

    Use gradients from autograd; no closed-form solver or factorisation,
    in this function or any helper (np.linalg.solve, lstsq, inv, pinv, qr,
    cholesky, svd, eig, eigh, or their scipy and torch twins). Eigenvalues
    or singular values alone (eigvalsh, svd(..., compute_uv=False)), e.g.
    for a step size, are fine. The step size must suit the data you are given.

    Args
    ----
    x_ND : 2D array, shape (N, D) (or 1D, shape (N,), for D = 1)
    y_N : 1D array, shape (N,)
    sigma : float

    Returns
    -------
    wtilde_E : 1D array, shape (E,) = (D + 1,); weights, then the bias.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
