"""Flips the sign of the derivative."""
# exercise: decaying_cosine
import autograd


def decaying_cosine_grad(x):
    return -autograd.grad(decaying_cosine)(x)
