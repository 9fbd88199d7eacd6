"""The student splits the hand-derived gradient into a forward pass and their own numpy
helper called `backward` (the lecture's vocabulary for the chain rule). `backward` is also
torch's method name: a rule judging names instead of what they refer to rejected this."""
# exercise: numpy_gradients
import numpy as np


def forward(a, b, x, y):
    """Residuals r_n = a x_n + b - y_n, shape (N,)."""
    return a * np.asarray(x, dtype=np.float64) + b - np.asarray(y, dtype=np.float64)


def backward(resid_N, x_N):
    """Chain rule by hand: dL/dr_n = 2 r_n / N, then dr/da = x_n, dr/db = 1."""
    dL_dr_N = 2.0 * resid_N / resid_N.size
    return float(np.sum(dL_dr_N * x_N)), float(np.sum(dL_dr_N))


def mse_loss_grad(a, b, x, y):
    return backward(forward(a, b, x, y), np.asarray(x, dtype=np.float64))
