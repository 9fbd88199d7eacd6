import copy

import autograd
import autograd.numpy as ag_np
import numpy as np


def trid(x_D):
    return ag_np.sum((x_D - 1.0) ** 2) - ag_np.sum(x_D[1:] * x_D[:-1])


def trid_grad(x_D):
    return autograd.grad(trid)(x_D)


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    x = np.array(init_x_D, dtype=float)
    hist = dict(iter=[], f=[], x_D=[], g_D=[])
    for t in range(n_iters):
        gx = g(x)
        hist['iter'].append(t); hist['f'].append(f(x)); hist['x_D'].append(x); hist['g_D'].append(gx)
        if t + 1 < n_iters:
            x = x - step_size * gx
    return x, hist


def minimize_trid(init_x_D):
    # eigenvalues of the Hessian lie in (0, 4) and lmin + lmax = 4, so 0.5 is the best fixed step
    D = len(init_x_D)
    return run_many_iters_of_gradient_descent(trid, trid_grad, init_x_D, 10 * (D + 1) ** 2 + 100, 0.5)[0]
