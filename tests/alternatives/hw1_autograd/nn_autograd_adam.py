"""fit_nn with autograd.misc.optimizers.adam straight on the list of dicts (it flattens and
unflattens the structure itself), on standardised data folded back afterwards."""
# exercise: nn_fit
import autograd
import autograd.numpy as ag_np
import numpy as np
from autograd.misc.optimizers import adam as autograd_adam


def fit_nn(x_ND, y_N):
    x_mean, x_std = x_ND.mean(axis=0), x_ND.std(axis=0)
    y_mean, y_std = y_N.mean(), y_N.std()
    z_ND, t_N = (x_ND - x_mean) / x_std, (y_N - y_mean) / y_std
    prng = np.random.RandomState(7)
    init = make_nn_params_as_list_of_dicts(
        [24], x_ND.shape[1], 1, weight_fill_func=lambda s: prng.randn(*s) / np.sqrt(s[0]))

    def objective(params, iteration):
        return ag_np.mean(ag_np.square(t_N - predict_y_given_x_with_NN(z_ND, params)))

    params = autograd_adam(autograd.grad(objective), init, num_iters=1500, step_size=0.01)
    params = [dict(layer) for layer in params]
    params[0]['b'] = params[0]['b'] - np.dot(x_mean / x_std, params[0]['w'])
    params[0]['w'] = params[0]['w'] / x_std[:, np.newaxis]
    params[-1]['w'] = params[-1]['w'] * y_std
    params[-1]['b'] = params[-1]['b'] * y_std + y_mean
    return params
