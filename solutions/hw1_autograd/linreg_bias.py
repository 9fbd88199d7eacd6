"""Exercise linreg_bias: linear regression with a bias column, fit by gradient descent.

Model: y_n ~ Normal(w^T x_n + b, sigma^2). Append a column of ones to the
inputs, x~_n = [x_n, 1], and a bias to the weights, w~ = [w, b], so that the
model reads y_n ~ Normal(w~^T x~_n, sigma^2). Up to a constant, the negative
log likelihood is

    L(w~) = 0.5 / sigma^2 * sum_n (y_n - w~^T x~_n)^2

{{ full_marks }}
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
    ### BEGIN SOLUTION
    x_ND = np.asarray(x_ND, dtype=np.float64)
    if x_ND.ndim == 1:
        x_ND = x_ND[:, np.newaxis]
    return np.hstack([x_ND, np.ones((x_ND.shape[0], 1))])
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    resid_N = y_N - ag_np.dot(xtilde_NE, wtilde_E)
    return 0.5 / sigma ** 2 * ag_np.sum(ag_np.square(resid_N))
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    xtilde_NE = add_bias_column(x_ND)
    y_N = np.asarray(y_N, dtype=np.float64)

    def loss(wtilde_E):
        return linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma)

    grad = autograd.grad(loss)
    # The loss is quadratic with Hessian H = X~^T X~ / sigma^2. A step of
    # 1/lambda_max(H) is the largest that never overshoots; the Frobenius
    # norm bounds lambda_max from above, so 1/||H||_F is safe on any data.
    hessian_EE = np.dot(xtilde_NE.T, xtilde_NE) / sigma ** 2
    step_size = 1.0 / np.sqrt(np.sum(np.square(hessian_EE)))
    wtilde_E = np.zeros(xtilde_NE.shape[1])
    for _ in range(50000):
        g_E = grad(wtilde_E)
        wtilde_E = wtilde_E - step_size * g_E
        if np.linalg.norm(step_size * g_E) < 1e-12 * (1.0 + np.linalg.norm(wtilde_E)):
            break
    return wtilde_E
    ### END SOLUTION
