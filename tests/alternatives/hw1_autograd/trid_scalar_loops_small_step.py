"""The slowest honest Trid: both sums as Python loops over scalars (autograd traces every
x_d), a GD helper that evaluates the gradient twice per step, and minimize_trid with a
cautious step of 0.2 in blocks of 1000 iterations until the gradient is tiny."""
# exercise: trid
import autograd
import numpy as np


def trid(x_D):
    squares = 0.0
    for d in range(len(x_D)):
        squares = squares + (x_D[d] - 1.0) ** 2
    coupling = 0.0
    for d in range(1, len(x_D)):
        coupling = coupling + x_D[d] * x_D[d - 1]
    return squares - coupling


def trid_grad(x_D):
    return autograd.grad(trid)(x_D)


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    x_D = np.array(init_x_D, dtype=np.float64)
    history = {'iter': [], 'f': [], 'x_D': [], 'g_D': []}
    for t in range(n_iters):
        if t > 0:
            x_D = x_D - step_size * g(x_D)
        history['iter'].append(t)
        history['f'].append(f(x_D))
        history['x_D'].append(x_D)
        history['g_D'].append(g(x_D))
    return x_D, history


def minimize_trid(init_x_D):
    x_D = np.array(init_x_D, dtype=np.float64)
    while True:
        x_D, history = run_many_iters_of_gradient_descent(
            trid, trid_grad, x_D, n_iters=1000, step_size=0.2)
        if np.max(np.abs(history['g_D'][-1])) < 1e-9:
            return x_D
