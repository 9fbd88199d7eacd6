"""Exercise 1 -- decaying cosine and its derivative."""
import autograd
import autograd.numpy as ag_np

DECAY_RATE = 0.1


def _envelope(x):
    """The shrinking factor e^{-x/10}."""
    return ag_np.exp(-DECAY_RATE * x)


def _oscillation(x):
    return ag_np.cos(x)


def decaying_cosine(x):
    """f(x) = envelope(x) * oscillation(x)."""
    return _envelope(x) * _oscillation(x)


def _as_float(x):
    """autograd will not differentiate w.r.t. an int, so promote ints to floats."""
    if isinstance(x, int):
        return x * 1.0
    return x


_GRAD_OF_DECAYING_COSINE = autograd.grad(decaying_cosine)


def decaying_cosine_grad(x):
    """f'(x), by autograd."""
    return _GRAD_OF_DECAYING_COSINE(_as_float(x))
