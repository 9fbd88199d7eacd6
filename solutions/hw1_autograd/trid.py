"""Exercise trid: minimise the Trid function with gradient descent.

For x in R^D (D >= 2):

    trid(x) = sum_{d=1}^{D} (x_d - 1)^2  -  sum_{d=2}^{D} x_d * x_{d-1}

Its unique minimiser is x*_d = d * (D + 1 - d) (d counted from 1), where
trid(x*) = -D (D + 4) (D - 1) / 6.

{{ full_marks }}
"""
import copy

import autograd
import autograd.numpy as ag_np
import numpy as np


def trid(x_D):
    """Evaluate the Trid function.

    Args
    ----
    x_D : 1D array, shape (D,), D >= 2

    Returns
    -------
    f : float
    """
    ### BEGIN SOLUTION
    return ag_np.sum(ag_np.square(x_D - 1.0)) - ag_np.sum(x_D[1:] * x_D[:-1])
    ### END SOLUTION


def trid_grad(x_D):
    """Gradient of `trid` at x_D, computed by `autograd.grad`.

    Graded: the value, and that autograd computed it (one autograd gradient
    per call); a gradient typed in by hand loses the gradient check's points.

    Args
    ----
    x_D : 1D array of floats, shape (D,)

    Returns
    -------
    g_D : 1D array, shape (D,)
    """
    ### BEGIN SOLUTION
    return autograd.grad(trid)(x_D)
    ### END SOLUTION


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    """Run plain gradient descent: x <- x - step_size * g(x).

    Args
    ----
    f : callable, maps x_D (shape (D,)) to a float
    g : callable, maps x_D to its gradient, shape (D,)
    init_x_D : 1D array, shape (D,); the start point. It is NOT modified.
    n_iters : int; the number of history entries. Entry 0 is the start
        point, so n_iters - 1 updates are made.
    step_size : float; the learning rate.

    Returns
    -------
    x_D : 1D array, shape (D,); the last iterate
    history : dict with keys 'iter', 'f', 'x_D', 'g_D', each a list of
        length n_iters; entry t holds t, f(x_t), x_t and g(x_t).
    """
    ### BEGIN SOLUTION
    x_D = copy.deepcopy(init_x_D)
    history = dict(iter=[], f=[], x_D=[], g_D=[])
    for iter_id in range(n_iters):
        if iter_id > 0:
            # A new array each step, so the history never aliases one buffer.
            x_D = x_D - step_size * g(x_D)
        history['iter'].append(iter_id)
        history['f'].append(f(x_D))
        history['x_D'].append(x_D)
        history['g_D'].append(g(x_D))
    return x_D, history
    ### END SOLUTION


def minimize_trid(init_x_D):
    """Find the minimiser of `trid` by gradient descent from init_x_D.

    Graded: the result, and how: gradients taken at every step (trid_grad
    or autograd), no linear solver, and a result computed from the values
    of init_x_D (returning or starting from the known minimiser is not the
    exercise). Any D >= 2: the steps needed grow with D (the Hessian's
    smallest eigenvalue shrinks like 1/D^2), so stop on a small gradient
    rather than after a fixed count.

    Args
    ----
    init_x_D : 1D array of floats, shape (D,), D >= 2

    Returns
    -------
    x_D : 1D array, shape (D,); within 1e-5 of the true minimiser in
        every coordinate.
    """
    ### BEGIN SOLUTION
    # The Hessian of trid is 2I minus the off-diagonal ones: its eigenvalues
    # lie in (0, 4), so any step below 2/4 = 0.5 converges. Iterate in blocks
    # until the gradient is tiny: the needed count grows with D (condition number).
    x_D = np.asarray(init_x_D, dtype=np.float64)
    for _ in range(500):
        x_D, history = run_many_iters_of_gradient_descent(
            trid, trid_grad, x_D, n_iters=100, step_size=0.45)
        if np.max(np.abs(history['g_D'][-1])) < 1e-9:
            break
    return x_D
    ### END SOLUTION
