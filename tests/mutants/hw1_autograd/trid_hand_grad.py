"""trid_grad is the right formula 2 (x_d - 1) - x_{d-1} - x_{d+1}, typed in by hand,
although the docstring says it is computed by autograd.grad."""
# exercise: trid
import numpy as np


def trid_grad(x_D):
    x_D = np.asarray(x_D, dtype=np.float64)
    g_D = 2.0 * (x_D - 1.0)
    g_D[1:] -= x_D[:-1]
    g_D[:-1] -= x_D[1:]
    return g_D
