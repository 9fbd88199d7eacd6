"""Uses elementwise_grad and returns numpy float64 scalars."""
# exercise: decaying_cosine
import autograd
import autograd.numpy as anp
import numpy as np


def decaying_cosine(x):
    return anp.cos(x) / anp.exp(x / 10.0)


def decaying_cosine_grad(x):
    return np.float64(autograd.elementwise_grad(decaying_cosine)(np.float64(x)))
