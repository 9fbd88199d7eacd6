"""Adds the coupling term instead of subtracting it."""
# exercise: trid
import autograd.numpy as ag_np


def trid(x_D):
    return ag_np.sum(ag_np.square(x_D - 1.0)) + ag_np.sum(x_D[1:] * x_D[:-1])
