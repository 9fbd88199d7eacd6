"""Two hidden layers of 16, plain gradient descent with momentum on standardised data."""
# exercise: nn_fit
import autograd
import autograd.numpy as ag_np
import numpy as np


def fit_nn(x_ND, y_N):
    mx, sx = x_ND.mean(0), x_ND.std(0)
    my, sy = y_N.mean(), y_N.std()
    z, t = (x_ND - mx) / sx, (y_N - my) / sy
    prng = np.random.RandomState(3)
    params = make_nn_params_as_list_of_dicts(
        [16, 16], x_ND.shape[1], 1, weight_fill_func=lambda s: prng.randn(*s) / np.sqrt(s[0]))
    grad = autograd.grad(lambda p: ag_np.mean(ag_np.square(t - predict_y_given_x_with_NN(z, p))))
    vel = [{k: np.zeros_like(v) for k, v in l.items()} for l in params]
    for _ in range(3000):
        g = grad(params)
        for l, gl, vl in zip(params, g, vel):
            for k in l:
                vl[k] = 0.9 * vl[k] - 0.05 * gl[k]
                l[k] = l[k] + vl[k]
    params[0]['b'] = params[0]['b'] - (mx / sx) @ params[0]['w']
    params[0]['w'] = params[0]['w'] / sx[:, None]
    params[-1]['w'] = params[-1]['w'] * sy
    params[-1]['b'] = params[-1]['b'] * sy + my
    return params
