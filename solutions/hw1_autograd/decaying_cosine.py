"""Exercise decaying_cosine: differentiate a decaying cosine with autograd.

    f(x) = exp(-x / 10) * cos(x)

Write `f` with `autograd.numpy` (imported as `ag_np`) so that autograd can
trace it, then let `autograd.grad` produce the derivative for you.

{{ full_marks }}
"""
import autograd
import autograd.numpy as ag_np


def decaying_cosine(x):
    """Evaluate f(x) = exp(-x/10) * cos(x).

    Args
    ----
    x : float
        A scalar input (autograd may pass a traced box instead of a float).

    Returns
    -------
    f_x : float
        The value of f at x.
    """
    ### BEGIN SOLUTION
    return ag_np.exp(-x / 10.0) * ag_np.cos(x)
    ### END SOLUTION


def decaying_cosine_grad(x):
    """Evaluate the derivative df/dx at x, computed by `autograd.grad`.

    Graded: the value, and that autograd computed it (the grader watches for
    one autograd gradient per call); a derivative typed in by hand loses the
    points of the gradient checks.

    Args
    ----
    x : float
        A scalar input. Pass floats, not ints: autograd cannot
        differentiate with respect to an integer.

    Returns
    -------
    g_x : float
        The derivative of `decaying_cosine` at x.
    """
    ### BEGIN SOLUTION
    return autograd.grad(decaying_cosine)(x)
    ### END SOLUTION
