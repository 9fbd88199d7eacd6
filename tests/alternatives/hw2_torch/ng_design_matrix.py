"""Stacks [x, 1] into a design matrix and works with the parameter vector (a, b)."""
# exercise: numpy_gradients
import numpy as np


def mse_loss_grad(a, b, x, y):
    x_N2 = np.stack([x, np.ones_like(x)], axis=1)
    r_N = x_N2 @ np.array([a, b]) - y
    g_2 = 2.0 * x_N2.T @ r_N / len(y)
    return g_2[0], g_2[1]


def fit_line_numpy(x, y, lr=0.1, n_steps=1000):
    ab = np.zeros(2)
    for _ in range(n_steps):
        ab = ab - lr * np.array(mse_loss_grad(ab[0], ab[1], x, y))
    return float(ab[0]), float(ab[1])
