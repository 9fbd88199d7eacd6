"""Drops the factor 2 of d/dr r^2 in the hand-derived gradient."""
# exercise: numpy_gradients
import numpy as np


def mse_loss_grad(a, b, x, y):
    resid_N = a * x + b - y
    return float(np.mean(resid_N * x)), float(np.mean(resid_N))
