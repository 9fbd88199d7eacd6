# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
"""Exercise decaying_cosine: differentiate a decaying cosine with autograd.

    f(x) = exp(-x / 10) * cos(x)

Write `f` with `autograd.numpy` (imported as `ag_np`) so that autograd can
trace it, then let `autograd.grad` produce the derivative for you.

Full marks need (from course.yml):
- values (1 point): decaying_cosine(x) equals exp(-x/10) cos(x) (relative error at most
  1e-10).
- gradient (2 points): decaying_cosine_grad(x) equals the derivative (relative error at
  most 1e-10), computed by autograd.grad: one autograd gradient per call, not a
  derivative typed in by hand.
- autograd_traceable (1 point): autograd.grad can differentiate decaying_cosine (no
  math.*, no float()), what it gives agrees with central differences of the same
  function, and it is the derivative of exp(-x/10) cos(x) (relative error at most
  1e-10).
- time limit: 10 s per check.
- hidden checks (1 point) hold the same standards on inputs you have not seen (other
  sizes, seeds and data).
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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()
