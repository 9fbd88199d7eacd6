"""minimize_trid runs gradient descent, but from the known minimiser d (D + 1 - d) instead of
init_x_D: the gradient is taken at every step, and the start point is ignored."""
# exercise: trid
import numpy as np


def minimize_trid(init_x_D):
    D = len(init_x_D)
    d = np.arange(1, D + 1, dtype=np.float64)
    x_D, _ = run_many_iters_of_gradient_descent(trid, trid_grad, d * (D + 1 - d),
                                                n_iters=50, step_size=0.45)
    return x_D
