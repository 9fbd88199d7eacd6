"""Chain rule slip: dL/da = 2 mean(r) * mean(x) instead of 2 mean(r * x)."""
# exercise: numpy_gradients
import numpy as np


def mse_loss_grad(a, b, x, y):
    resid_N = a * x + b - y
    return float(2.0 * np.mean(resid_N) * np.mean(x)), float(2.0 * np.mean(resid_N))
