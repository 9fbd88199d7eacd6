import autograd
import autograd.numpy as ag_np
import numpy as np
from autograd.misc import flatten


def make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[5],
        n_dims_input=1,
        n_dims_output=1,
        weight_fill_func=np.zeros,
        bias_fill_func=np.zeros):
    sz = [n_dims_input] + list(n_hiddens_per_layer_list) + [n_dims_output]
    return [dict(w=weight_fill_func((a, b)), b=bias_fill_func((b,))) for a, b in zip(sz[:-1], sz[1:])]


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    if x.ndim == 1:
        x = x[None, :] if x.size == nn_param_list[0]['w'].shape[0] else x[:, None]
    for i, layer in enumerate(nn_param_list):
        x = ag_np.dot(activation_func(x) if i else x, layer['w']) + layer['b']
    return ag_np.squeeze(x)


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    return 0.5 / sigma ** 2 * ag_np.sum((y_N - predict_y_given_x_with_NN(x_ND, nn_params)) ** 2)


def fit_nn(x_ND, y_N):
    x = np.asarray(x_ND, dtype=float).reshape(len(y_N), -1)
    mx, sx, my, sy = x.mean(0), x.std(0) + 1e-12, y_N.mean(), y_N.std() + 1e-12
    rng = np.random.RandomState(0)
    p0 = make_nn_params_as_list_of_dicts([32], x.shape[1], 1, lambda s: rng.randn(*s) / np.sqrt(s[0]))
    th, unflat = flatten(p0)
    xs, ys = (x - mx) / sx, (y_N - my) / sy
    dloss = autograd.grad(lambda v: nn_regression_loss(unflat(v), xs, ys, 1.0) / len(ys))
    m, v = 0 * th, 0 * th
    for t in range(1, 2001):   # Adam
        gr = dloss(th)
        m, v = 0.9 * m + 0.1 * gr, 0.999 * v + 0.001 * gr ** 2
        th = th - 0.01 * m / (1 - 0.9 ** t) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    p = unflat(th)
    p[0] = dict(w=p[0]['w'] / sx[:, None], b=p[0]['b'] - (mx / sx) @ p[0]['w'])
    p[-1] = dict(w=p[-1]['w'] * sy, b=p[-1]['b'] * sy + my)
    return p
