"""Casts the input with float(x) "to be safe" before evaluating f: right values, but
autograd passes a traced box, which float() rejects, so the derivative fails."""
# exercise: decaying_cosine
import autograd.numpy as ag_np


def decaying_cosine(x):
    x = float(x)
    return ag_np.exp(-x / 10.0) * ag_np.cos(x)
