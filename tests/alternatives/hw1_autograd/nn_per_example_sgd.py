"""Online SGD: one example at a time (a Python loop over the examples in every epoch, an
autograd gradient per example), 32 tanh units, a step that decays per epoch."""
# exercise: nn_fit
import autograd
import autograd.numpy as ag_np
import numpy as np


def fit_nn(x_ND, y_N):
    x_ND = np.asarray(x_ND, dtype=np.float64)
    y_N = np.asarray(y_N, dtype=np.float64)
    mx, sx, my, sy = x_ND.mean(0), x_ND.std(0), y_N.mean(), y_N.std()
    z, t = (x_ND - mx) / sx, (y_N - my) / sy
    rng = np.random.RandomState(3)
    params = make_nn_params_as_list_of_dicts(
        [32], x_ND.shape[1], 1, weight_fill_func=lambda s: rng.randn(*s) / np.sqrt(s[0]))

    def example_loss(p, z_D, t_n):
        return ag_np.square(t_n - predict_y_given_x_with_NN(z_D, p))

    grad = autograd.grad(example_loss)
    for epoch in range(60):
        step = 0.02 / (1.0 + epoch / 15.0)
        for n in rng.permutation(len(t)):
            g = grad(params, z[n], t[n])
            params = [{k: layer[k] - step * g_layer[k] for k in layer}
                      for layer, g_layer in zip(params, g)]
    params[0]['b'] = params[0]['b'] - (mx / sx) @ params[0]['w']
    params[0]['w'] = params[0]['w'] / sx[:, None]
    params[-1]['w'] = params[-1]['w'] * sy
    params[-1]['b'] = params[-1]['b'] * sy + my
    return params
