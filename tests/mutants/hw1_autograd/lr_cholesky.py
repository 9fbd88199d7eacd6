"""Least squares by a Cholesky factorisation of the normal equations (np.linalg.cholesky),
then forward and back substitution written by hand."""
# exercise: linreg_bias
import numpy as np


def _triangular_solve(l_EE, b_E, lower):
    """Solve l w = b for a triangular l by substitution."""
    n = b_E.size
    w_E = np.zeros(n)
    rows = range(n) if lower else range(n - 1, -1, -1)
    for i in rows:
        done = slice(0, i) if lower else slice(i + 1, n)
        w_E[i] = (b_E[i] - l_EE[i, done] @ w_E[done]) / l_EE[i, i]
    return w_E


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xtilde_NE = add_bias_column(x_ND)
    l_EE = np.linalg.cholesky(xtilde_NE.T @ xtilde_NE)
    z_E = _triangular_solve(l_EE, xtilde_NE.T @ np.asarray(y_N, dtype=np.float64), lower=True)
    return _triangular_solve(l_EE.T, z_E, lower=False)
