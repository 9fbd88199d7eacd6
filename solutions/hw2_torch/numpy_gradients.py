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

{{ full_marks }}
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
    ### BEGIN SOLUTION
    return a * np.asarray(x, dtype=np.float64) + b
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    resid_N = lin(a, b, x) - np.asarray(y, dtype=np.float64)
    return float(np.mean(resid_N ** 2))
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    resid_N = lin(a, b, x) - np.asarray(y, dtype=np.float64)
    dL_db = 2.0 * np.mean(resid_N)
    dL_da = 2.0 * np.mean(resid_N * x)
    return float(dL_da), float(dL_db)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    a, b = 0.0, 0.0
    for _ in range(n_steps):
        dL_da, dL_db = mse_loss_grad(a, b, x, y)
        a, b = a - lr * dL_da, b - lr * dL_db
    return a, b
    ### END SOLUTION
