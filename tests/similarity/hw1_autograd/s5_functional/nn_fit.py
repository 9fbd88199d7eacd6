import functools

import autograd
import autograd.numpy as ag_np
import numpy as np
from autograd.misc.optimizers import adam


def make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[5],
        n_dims_input=1,
        n_dims_output=1,
        weight_fill_func=np.zeros,
        bias_fill_func=np.zeros):
    dims = (n_dims_input, *n_hiddens_per_layer_list, n_dims_output)
    return list(map(lambda io: {'w': weight_fill_func((io[0], io[1])), 'b': bias_fill_func((io[1],))},
                    zip(dims, dims[1:])))


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    d_in = nn_param_list[0]['w'].shape[0]
    to_rows = lambda a: a if a.ndim == 2 else (a.reshape(1, -1) if a.size == d_in else a.reshape(-1, 1))
    layer = lambda h, k_p: ag_np.dot(activation_func(h) if k_p[0] > 0 else h, k_p[1]['w']) + k_p[1]['b']
    out = functools.reduce(layer, enumerate(nn_param_list), to_rows(x))
    return ag_np.squeeze(out)


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    err = predict_y_given_x_with_NN(x_ND, nn_params) - y_N
    return ag_np.dot(err, err) * 0.5 / sigma ** 2


def _affine_maps(v):
    """(shift, scale) that standardise the columns of v, and the map itself."""
    shift, scale = v.mean(axis=0), v.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return shift, scale, (lambda a: (a - shift) / scale)


def fit_nn(x_ND, y_N):
    x_ND = x_ND.reshape(len(x_ND), -1)
    mx, sx, zx = _affine_maps(x_ND)
    my, sy, zy = _affine_maps(y_N)
    X, Y = zx(x_ND), zy(y_N)

    rand = np.random.RandomState(7).randn
    fill = lambda shape: rand(*shape) / np.sqrt(shape[0])
    init = make_nn_params_as_list_of_dicts([30], X.shape[1], 1, fill, lambda s: 0.1 * rand(*s))

    objective = lambda params, i: nn_regression_loss(params, X, Y, 1.0) / len(Y)
    trained = adam(autograd.grad(objective), init, num_iters=2500, step_size=0.01)

    unscale_first = lambda p: {'w': p['w'] / sx[:, None], 'b': p['b'] - ag_np.dot(mx / sx, p['w'])}
    unscale_last = lambda p: {'w': p['w'] * sy, 'b': p['b'] * sy + my}
    trained = [unscale_first(trained[0])] + trained[1:]
    return trained[:-1] + [unscale_last(trained[-1])]
