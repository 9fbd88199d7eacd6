import copy

import autograd
import autograd.numpy as ag_np
import numpy as np
from autograd.misc.optimizers import sgd


def trid(x_D):
    squares = lambda v: ag_np.sum(ag_np.square(v - 1.0))
    chain = lambda v: ag_np.sum(v[:-1] * v[1:])
    return squares(x_D) - chain(x_D)


def trid_grad(x_D):
    return autograd.grad(trid)(x_D)


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    history = {key: [] for key in ('iter', 'f', 'x_D', 'g_D')}

    def remember(x_D, t, g_D):
        for key, val in zip(('iter', 'f', 'x_D', 'g_D'), (t, f(x_D), np.array(x_D), g_D)):
            history[key].append(val)

    # sgd with mass=0 is plain gradient descent: x <- x - step_size * g(x)
    x_last = sgd(lambda x_D, t: g(x_D), np.array(init_x_D, dtype=float), callback=remember,
                 num_iters=n_iters - 1, step_size=step_size, mass=0.0)
    remember(x_last, n_iters - 1, g(x_last))
    return x_last, history


def minimize_trid(init_x_D):
    D = np.size(init_x_D)
    # Hessian eigenvalues are 2 - 2 cos(k pi / (D + 1)), k = 1..D: all in (0, 4)
    lam_min = 2.0 - 2.0 * np.cos(np.pi / (D + 1))
    eta = 0.35
    n_steps = int(np.ceil(np.log(1e-10) / np.log(1.0 - eta * lam_min)))
    return sgd(lambda x_D, t: trid_grad(x_D), np.array(init_x_D, dtype=float),
               num_iters=n_steps, step_size=eta, mass=0.0)
