"""Least squares by the pseudo-inverse of the design matrix (np.linalg.pinv)."""
# exercise: linreg_bias
import numpy as np


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    return np.linalg.pinv(add_bias_column(x_ND)) @ np.asarray(y_N, dtype=np.float64)
