"""minimize_trid takes one GD step at a time (through the helper) and stops as soon as a step
moves no coordinate by more than 1e-12, printing how many steps it needed."""
# exercise: trid
import numpy as np


def minimize_trid(init_x_D):
    x_D = np.array(init_x_D, dtype=np.float64)
    for t in range(1, 200001):
        x_new, _ = run_many_iters_of_gradient_descent(trid, trid_grad, x_D, n_iters=2,
                                                      step_size=0.4)
        moved = np.max(np.abs(x_new - x_D))
        x_D = x_new
        if moved < 1e-12:
            print(f"minimize_trid: D = {x_D.size}, stopped after {t} steps")
            break
    return x_D
