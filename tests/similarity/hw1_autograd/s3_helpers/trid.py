"""Exercise 2 -- gradient descent and the Trid function."""
import copy

import autograd
import autograd.numpy as ag_np
import numpy as np


def _distance_to_ones(x_D):
    """sum_d (x_d - 1)^2"""
    shifted = x_D - 1.0
    return ag_np.dot(shifted, shifted)


def _neighbour_products(x_D):
    """sum_{d>=2} x_d x_{d-1}"""
    return ag_np.dot(x_D[1:], x_D[:-1])


def trid(x_D):
    return _distance_to_ones(x_D) - _neighbour_products(x_D)


_TRID_GRAD = autograd.grad(trid)


def trid_grad(x_D):
    return _TRID_GRAD(x_D)


class _History:
    """Collects what GD sees at every iterate."""

    KEYS = ('iter', 'f', 'x_D', 'g_D')

    def __init__(self):
        self.rows = {key: [] for key in self.KEYS}

    def record(self, t, value, x, grad):
        for key, item in zip(self.KEYS, (t, value, x, grad)):
            self.rows[key].append(item)

    def as_dict(self):
        return self.rows


def _gd_step(x, grad, step_size):
    """One update; returns a fresh array so older iterates stay intact."""
    return x - step_size * grad


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    history = _History()
    x = copy.deepcopy(init_x_D).astype(np.float64)
    for t in range(n_iters):
        grad = g(x)
        history.record(t, f(x), x, grad)
        if t < n_iters - 1:
            x = _gd_step(x, grad, step_size)
    return x, history.as_dict()


class _TridSolver:
    """Repeated GD runs, each started where the previous one ended, until converged."""

    def __init__(self, step_size=0.3, chunk=250, tol=1e-8, max_chunks=400):
        self.step_size = step_size
        self.chunk = chunk
        self.tol = tol
        self.max_chunks = max_chunks

    def converged(self, history):
        return np.max(np.abs(history['g_D'][-1])) < self.tol

    def run(self, init_x_D):
        x = np.asarray(init_x_D, dtype=np.float64)
        for _ in range(self.max_chunks):
            x, history = run_many_iters_of_gradient_descent(
                trid, trid_grad, x, n_iters=self.chunk, step_size=self.step_size)
            if self.converged(history):
                break
        return x


def minimize_trid(init_x_D):
    return _TridSolver().run(init_x_D)
