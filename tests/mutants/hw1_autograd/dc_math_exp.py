"""Uses math.exp / math.cos: right values on floats, but autograd cannot trace it."""
# exercise: decaying_cosine
import math

import autograd


def decaying_cosine(x):
    return math.exp(-x / 10.0) * math.cos(x)


def decaying_cosine_grad(x):
    return autograd.grad(decaying_cosine)(x)
