"""Puts the column of ones FIRST (and so the bias first in wtilde)."""
# exercise: linreg_bias
import numpy as np


def add_bias_column(x_ND):
    x_ND = np.asarray(x_ND, dtype=np.float64)
    if x_ND.ndim == 1:
        x_ND = x_ND[:, np.newaxis]
    return np.hstack([np.ones((x_ND.shape[0], 1)), x_ND])
