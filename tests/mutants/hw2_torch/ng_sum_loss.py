"""mse_loss sums the squared residuals instead of averaging them."""
# exercise: numpy_gradients
import numpy as np


def mse_loss(a, b, x, y):
    return float(np.sum((a * x + b - y) ** 2))
