"""autograd.misc.optimizers.sgd with mass=0 (plain full-batch GD), run in blocks of 2000
iterations until the weights stop moving."""
# exercise: linreg_bias
import autograd
import numpy as np
from autograd.misc.optimizers import sgd


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xt = add_bias_column(x_ND)
    y_N = np.asarray(y_N, dtype=np.float64)
    loss_grad = autograd.grad(lambda w: linreg_neg_log_lik(w, xt, y_N, sigma))
    step = 1.0 / np.linalg.norm(xt.T @ xt / sigma ** 2)
    w = np.zeros(xt.shape[1])
    for _ in range(100):
        w_new = sgd(lambda w_E, i: loss_grad(w_E), w, num_iters=2000, step_size=step, mass=0.0)
        moved = np.linalg.norm(w_new - w)
        w = w_new
        if moved < 1e-9 * (1.0 + np.linalg.norm(w)):
            break
    return w
