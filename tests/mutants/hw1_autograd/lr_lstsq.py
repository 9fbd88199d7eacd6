"""Uses the closed-form least-squares solver instead of gradient descent."""
# exercise: linreg_bias
import numpy as np


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    return np.linalg.lstsq(add_bias_column(x_ND), y_N, rcond=None)[0]
