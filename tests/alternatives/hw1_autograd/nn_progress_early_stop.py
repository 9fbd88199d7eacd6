"""Full-batch Adam written by hand that prints its progress every 250 iterations and stops
early: once the standardised training MSE is below 1e-4, or when it has not improved by 1%
over 300 iterations (then the best parameters seen are kept)."""
# exercise: nn_fit
import autograd
import autograd.numpy as ag_np
import numpy as np
from autograd.misc import flatten


def fit_nn(x_ND, y_N):
    x_mean, x_std = x_ND.mean(axis=0), x_ND.std(axis=0)
    y_mean, y_std = y_N.mean(), y_N.std()
    z_ND, t_N = (x_ND - x_mean) / x_std, (y_N - y_mean) / y_std
    prng = np.random.RandomState(1)
    init = make_nn_params_as_list_of_dicts(
        [32], x_ND.shape[1], 1, weight_fill_func=lambda s: prng.randn(*s) / np.sqrt(s[0]))
    flat, unflatten = flatten(init)

    def loss(flat_P):
        return ag_np.mean(ag_np.square(t_N - predict_y_given_x_with_NN(z_ND, unflatten(flat_P))))

    loss_and_grad = autograd.value_and_grad(loss)
    m, v = np.zeros_like(flat), np.zeros_like(flat)
    best, best_flat = np.inf, flat
    anchor, anchor_at = np.inf, 0       # the last loss that beat the one before by 1%
    for t in range(1, 4001):
        value, g = loss_and_grad(flat)
        if value < best:
            best, best_flat = value, flat
        if value < 0.99 * anchor:
            anchor, anchor_at = value, t
        if value < 1e-4 or t - anchor_at > 300:
            print(f"early stop at iteration {t}: standardised mse {value:.3e}, best {best:.3e}")
            break
        if t % 250 == 0:
            print(f"iteration {t:5d}  standardised mse {value:.3e}")
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g ** 2
        flat = flat - 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    params = [dict(layer) for layer in unflatten(best_flat)]
    params[0]['b'] = params[0]['b'] - np.dot(x_mean / x_std, params[0]['w'])
    params[0]['w'] = params[0]['w'] / x_std[:, np.newaxis]
    params[-1]['w'] = params[-1]['w'] * y_std
    params[-1]['b'] = params[-1]['b'] * y_std + y_mean
    return params
