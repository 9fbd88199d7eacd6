"""Toy data sets of hw1_autograd, generated exactly as the course notebook does.

All arrays are float64. x_ND has shape (N, D), y_N shape (N,).
"""
import numpy as np


def linear_toy(seed=0, n=300, w_D=(4.2, -4.2), bias=0.1, sigma=0.1, low=-5.0, high=5.0):
    """y = x @ w + bias + sigma * noise, x uniform on [low, high]^D (the seed's Part 4)."""
    prng = np.random.RandomState(seed)
    w_D = np.asarray(w_D, dtype=np.float64)
    x_ND = prng.uniform(low=low, high=high, size=(n, w_D.size))
    y_N = x_ND @ w_D + bias + sigma * prng.randn(n)
    return x_ND, y_N


def quadratic_toy(seed=0, n=300, wsq_D=(-2.0, 2.0), w_D=(4.2, -4.2), sigma=0.1):
    """y = x^2 @ wsq + x @ w + sigma * noise, x uniform on [-5, 5]^D with D = len(w_D)
    (the defaults, D = 2, are the seed's Part 5). Returns x_ND (N, D), y_N (N,)."""
    prng = np.random.RandomState(seed)
    wsq_D, w_D = np.asarray(wsq_D, np.float64), np.asarray(w_D, np.float64)
    x_ND = prng.uniform(low=-5, high=5, size=(n, w_D.size))
    y_N = np.square(x_ND) @ wsq_D + x_ND @ w_D + sigma * prng.randn(n)
    return x_ND, y_N


def random_linear(rng, n, d, max_scale=10.0, sigma=0.1):
    """A linear-regression set unlike the toy one: per-feature scales in
    [1, max_scale], roughly centred features, other weights and bias."""
    scale_D = rng.uniform(1.0, max_scale, size=d)
    offset_D = rng.uniform(-0.2, 0.2, size=d) * scale_D
    x_ND = rng.uniform(-1.0, 1.0, size=(n, d)) * scale_D + offset_D
    w_D = rng.normal(0.0, 3.0, size=d)
    bias = rng.normal(0.0, 5.0)
    y_N = x_ND @ w_D + bias + sigma * rng.standard_normal(n)
    return x_ND, y_N
