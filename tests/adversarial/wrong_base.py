"""A wrong decaying_cosine (cos without the decay; math.* so autograd cannot trace it)."""
import math


def decaying_cosine(x):
    return math.cos(x)


def decaying_cosine_grad(x):
    return -math.sin(x)
