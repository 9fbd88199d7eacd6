"""Uses the residual y - yhat, so both partial derivatives have the wrong sign."""
# exercise: numpy_gradients
import numpy as np


def mse_loss_grad(a, b, x, y):
    resid_N = y - (a * x + b)
    return float(2 * np.mean(resid_N * x)), float(2 * np.mean(resid_N))
