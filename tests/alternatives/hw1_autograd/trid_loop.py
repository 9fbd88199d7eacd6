"""Trid as explicit Python loops (autograd still traces it); GD with a while loop."""
# exercise: trid
import autograd
import numpy as np


def trid(x_D):
    total = 0.0
    for d in range(len(x_D)):
        total = total + (x_D[d] - 1.0) ** 2
        if d > 0:
            total = total - x_D[d] * x_D[d - 1]
    return total


def trid_grad(x_D):
    return autograd.grad(trid)(x_D)


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    x_D = np.array(init_x_D, dtype=float)
    history = {'iter': [0], 'f': [f(x_D)], 'x_D': [x_D], 'g_D': [g(x_D)]}
    t = 1
    while t < n_iters:
        x_D = x_D - step_size * history['g_D'][-1]
        history['iter'].append(t)
        history['f'].append(f(x_D))
        history['x_D'].append(x_D)
        history['g_D'].append(g(x_D))
        t += 1
    return x_D, history
