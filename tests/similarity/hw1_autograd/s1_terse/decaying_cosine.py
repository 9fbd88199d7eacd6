import autograd
import autograd.numpy as ag_np


def decaying_cosine(x):
    return ag_np.exp(-x / 10.0) * ag_np.cos(x)


def decaying_cosine_grad(x):
    return autograd.grad(decaying_cosine)(1.0 * x)
