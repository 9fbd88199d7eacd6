"""minimize_trid with heavy-ball momentum and a gradient-norm stopping rule."""
# exercise: trid
import numpy as np


def minimize_trid(init_x_D):
    x = np.array(init_x_D, dtype=float)
    v = np.zeros_like(x)
    for _ in range(20000):
        g = trid_grad(x)
        if np.linalg.norm(g) < 1e-10:
            break
        v = 0.8 * v - 0.1 * g
        x = x + v
    return x
