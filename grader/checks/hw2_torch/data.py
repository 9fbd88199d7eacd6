"""Data sets of hw2_torch, generated with numpy in the parent (float64).

The public ones follow the course material: a noisy line on [0, 1]
(a = 3, b = 8), its thresholded version for classification (label 1 where
the noisy line exceeds 10), a line with a column of ones (a = (3, 2); or a second
feature in place of the ones), and
the lecture's 100-point quadratic with noise and one outlier.
"""
import numpy as np


def noisy_line(seed=0, n=50, a=3.0, b=8.0, noise_sd=0.3, low=0.0, high=1.0):
    """x uniform on [low, high], y = a x + b + Normal(0, noise_sd^2). Shapes (N,), (N,)."""
    prng = np.random.RandomState(seed)
    x_N = prng.uniform(low, high, n)
    y_N = a * x_N + b + prng.normal(0.0, noise_sd, n)
    return x_N, y_N


def thresholded_line(seed=0, n=1000, a=3.0, b=8.0, noise_sd=0.3, threshold=10.0):
    """Labels 1.0 where the noisy line a x + b + noise exceeds threshold, else 0.0."""
    x_N, y_N = noisy_line(seed, n, a, b, noise_sd)
    return x_N, (y_N > threshold).astype(np.float64)


def line_with_ones(seed=0, n=100, a_2=(3.0, 2.0), noise=1.0, low=-1.0, high=1.0,
                   constant=True):
    """x_N2 = [u, 1] with u uniform on [low, high]; y = x @ a + noise * Uniform(0, 1).
    constant=False: x_N2 = [u, v], v uniform on [0.5, 2] (no constant column; the
    torch_gd docstring says the ones are only usual). Shapes (N, 2), (N,)."""
    prng = np.random.RandomState(seed)
    x_N2 = np.ones((n, 2))
    x_N2[:, 0] = prng.uniform(low, high, n)
    if not constant:
        x_N2[:, 1] = prng.uniform(0.5, 2.0, n)
    y_N = x_N2 @ np.asarray(a_2, dtype=np.float64) + noise * prng.uniform(0.0, 1.0, n)
    return x_N2, y_N


def quadratic_with_outlier(seed=42, n=100, noise=0.7, w_2=(1.0, 3.0), quad=-4.0,
                           outlier=(-1.5, 10.0)):
    """The lecture's data: sorted x uniform on [-1, 1), y = w0 + w1 x + quad x^2 + noise,
    then the first point replaced by the outlier (x, y)."""
    prng = np.random.RandomState(seed)
    x_N = np.sort(prng.rand(n) * 2 - 1.0)
    y_N = w_2[0] + w_2[1] * x_N + quad * x_N ** 2 + noise * prng.randn(n)
    if outlier is not None:
        x_N[0], y_N[0] = outlier
    return x_N, y_N
