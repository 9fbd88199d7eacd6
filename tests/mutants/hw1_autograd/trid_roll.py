"""Uses np.roll for the coupling term, which wraps x_D * x_1 around."""
# exercise: trid
import autograd.numpy as ag_np


def trid(x_D):
    return ag_np.sum(ag_np.square(x_D - 1.0)) - ag_np.sum(x_D * ag_np.roll(x_D, 1))
