# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
"""Exercise numpy_gradients: a line fit by gradient descent, gradients by hand.

Model and loss, for inputs x_N and targets y_N (N examples, one feature):

    yhat_n = a * x_n + b
    L(a, b) = (1/N) sum_n (yhat_n - y_n)^2          (mean squared error)

Derive dL/da and dL/db on paper (chain rule) and code them with numpy.
No autograd and no torch in this exercise: the grader watches what these
four functions call while they run (helpers and other modules included) and
reads their source, and rejects both.

dtype policy: everything is float64 numpy (arrays of shape (N,), scalars as
Python floats or 0-d float64 values).

Full marks need (from course.yml):
- lin (1 point): lin(a, b, x) equals a * x + b elementwise (relative error at most
  1e-10).
- mse_loss (1 point): mse_loss(a, b, x, y) equals the mean of the squared residuals
  (relative error at most 1e-10).
- gradient (2 points): mse_loss_grad returns (dL/da, dL/db) equal to the analytic
  partial derivatives (relative error at most 1e-10).
- by_hand (1 point): The four functions (and helpers they call) use no autograd and no
  torch, and mse_loss_grad still gives the right numbers (relative error at most 1e-10).
- fit (2 points): fit_line_numpy reproduces gradient descent from (0, 0) exactly: after
  0, 1, 2, 5 steps and with the default lr = 0.1, n_steps = 1000 (relative error at most
  1e-09).
- time limit: 20 s per check.
- hidden checks (3 points) hold the same standards on inputs you have not seen (other
  sizes, seeds and data).
"""
import numpy as np


def lin(a, b, x):
    """The line a * x + b, elementwise.

    Args
    ----
    a : float; the slope
    b : float; the intercept
    x : 1D array, shape (N,), float64

    Returns
    -------
    yhat_N : 1D array, shape (N,), float64
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def mse_loss(a, b, x, y):
    """Mean squared error of the line (a, b) on the data (x, y).

    Args
    ----
    a, b : float
    x : 1D array, shape (N,), float64
    y : 1D array, shape (N,), float64

    Returns
    -------
    loss : float; (1/N) sum_n (a x_n + b - y_n)^2
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def mse_loss_grad(a, b, x, y):
    """Gradient of `mse_loss` with respect to a and b, derived by hand.

    Args
    ----
    a, b : float
    x : 1D array, shape (N,), float64
    y : 1D array, shape (N,), float64

    Returns
    -------
    dL_da : float; (2/N) sum_n (a x_n + b - y_n) x_n
    dL_db : float; (2/N) sum_n (a x_n + b - y_n)
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def fit_line_numpy(x, y, lr=0.1, n_steps=1000):
    """Fit a and b by plain gradient descent on `mse_loss`.

    Start from a = 0.0, b = 0.0 and make exactly n_steps updates

        a <- a - lr * dL/da,   b <- b - lr * dL/db

    using both partial derivatives at the same (old) point.

    Args
    ----
    x : 1D array, shape (N,), float64
    y : 1D array, shape (N,), float64
    lr : float; the step size (learning rate)
    n_steps : int; the number of updates (0 returns the start point)

    Returns
    -------
    a, b : float; the point after n_steps updates
    """
    # YOUR CODE HERE
    raise NotImplementedError()
