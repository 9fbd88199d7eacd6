import autograd
import autograd.numpy as ag_np


def decaying_cosine(x):
    # The exponential factor shrinks the cosine as x grows.
    # Only autograd.numpy operations here, so that autograd can trace the function.
    decay_factor = ag_np.exp(-x / 10.0)
    cosine_value = ag_np.cos(x)
    f_x = decay_factor * cosine_value
    return f_x


def decaying_cosine_grad(x):
    # autograd.grad builds a new function that returns df/dx.
    derivative_function = autograd.grad(decaying_cosine)
    # Make sure the input is a floating point number (autograd refuses ints).
    x_float = ag_np.asarray(x, dtype=ag_np.float64)
    g_x = derivative_function(x_float)
    return g_x
