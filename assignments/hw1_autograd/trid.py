# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
"""Exercise trid: minimise the Trid function with gradient descent.

For x in R^D (D >= 2):

    trid(x) = sum_{d=1}^{D} (x_d - 1)^2  -  sum_{d=2}^{D} x_d * x_{d-1}

Its unique minimiser is x*_d = d * (D + 1 - d) (d counted from 1), where
trid(x*) = -D (D + 4) (D - 1) / 6.

Full marks need (from course.yml):
- values (1 point): trid(x_D) equals the formula for several D, including at the
  minimiser (relative error at most 1e-10).
- gradient (1 point): trid_grad(x_D) equals the analytic gradient (relative error at
  most 1e-10), computed by autograd.grad: one autograd gradient per call.
- autograd_traceable (1 point): autograd.grad can differentiate the student's trid,
  giving the analytic gradient (relative error at most 1e-10).
- gd_iterates (2 points): run_many_iters_of_gradient_descent reproduces exact GD on a
  quadratic, keeps a history with one entry per iteration and leaves init_x_D alone
  (relative error at most 1e-12).
- minimize (2 points): minimize_trid lands within 1e-05 of the minimiser in every
  coordinate, from every start, by gradient descent from init_x_D: at least 2 gradient
  evaluations per run, no linear solver, and a result computed from the values of
  init_x_D, not only from its size (partial credit per start reached).
- time limit: 10 s per check.
- hidden checks (6 points) hold the same standards on inputs you have not seen (other
  sizes, seeds and data).
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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()
