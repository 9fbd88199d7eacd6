"""64 hidden units, minibatch Adam written by hand, predictions via a vectorised forward pass."""
# exercise: nn_fit
import autograd
import autograd.numpy as ag_np
import numpy as np


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    if x.ndim == 1:
        x = x[None, :] if x.size == nn_param_list[0]['w'].shape[0] else x[:, None]
    h = x
    for layer in nn_param_list[:-1]:
        h = activation_func(h @ layer['w'] + layer['b'])
    return ag_np.squeeze(h @ nn_param_list[-1]['w'] + nn_param_list[-1]['b'])


def fit_nn(x_ND, y_N):
    mx, sx, my, sy = x_ND.mean(0), x_ND.std(0), y_N.mean(), y_N.std()
    z, t = (x_ND - mx) / sx, (y_N - my) / sy
    rng = np.random.RandomState(1)
    params = make_nn_params_as_list_of_dicts(
        [64], x_ND.shape[1], 1, weight_fill_func=lambda s: rng.randn(*s) / np.sqrt(s[0]))

    def batch_loss(p, idx):
        return ag_np.mean(ag_np.square(t[idx] - predict_y_given_x_with_NN(z[idx], p)))

    grad = autograd.grad(batch_loss)
    m = [{k: 0 * v for k, v in l.items()} for l in params]
    s = [{k: 0 * v for k, v in l.items()} for l in params]
    step = 0
    for epoch in range(400):
        order = rng.permutation(len(t))
        for start in range(0, len(t), 64):
            step += 1
            g = grad(params, order[start:start + 64])
            for l, gl, ml, sl in zip(params, g, m, s):
                for k in l:
                    ml[k] = 0.9 * ml[k] + 0.1 * gl[k]
                    sl[k] = 0.999 * sl[k] + 0.001 * gl[k] ** 2
                    lr = 0.01 if epoch < 250 else 0.002
                    l[k] = l[k] - lr * (ml[k] / (1 - 0.9 ** step)) / (
                        np.sqrt(sl[k] / (1 - 0.999 ** step)) + 1e-8)
    params[0]['b'] = params[0]['b'] - (mx / sx) @ params[0]['w']
    params[0]['w'] = params[0]['w'] / sx[:, None]
    params[-1]['w'] = params[-1]['w'] * sy
    params[-1]['b'] = params[-1]['b'] * sy + my
    return params
