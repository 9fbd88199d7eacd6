"""A realistic, partially right hw1_autograd submission (for `make demo` and tests).

Typical mistakes on purpose: the product rule is forgotten by hand, the GD
helper updates x_D in place, the linear regression copies the notebook's tiny
fixed step, and the network is trained too briefly on raw data.
"""
import autograd
import autograd.numpy as ag_np
import numpy as np


def decaying_cosine(x):
    return ag_np.exp(-x / 10) * ag_np.cos(x)


def decaying_cosine_grad(x):
    # "I derived it by hand": forgot the derivative of the exponential factor.
    return -ag_np.exp(-x / 10) * ag_np.sin(x)


def trid(x_D):
    return ag_np.sum((x_D - 1) ** 2) - ag_np.sum(x_D[1:] * x_D[:-1])


def trid_grad(x_D):
    return autograd.grad(trid)(x_D)


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    x_D = init_x_D
    history = dict(iter=[], f=[], x_D=[], g_D=[])
    for t in range(n_iters):
        if t > 0:
            x_D -= step_size * g(x_D)   # in place: history entries all alias x_D
        history['iter'].append(t)
        history['f'].append(f(x_D))
        history['x_D'].append(x_D)
        history['g_D'].append(g(x_D))
    return x_D, history


def minimize_trid(init_x_D):
    x_D = np.array(init_x_D, dtype=float)
    for _ in range(5000):
        x_D = x_D - 0.2 * trid_grad(x_D)
    return x_D


def add_bias_column(x_ND):
    x_ND = np.asarray(x_ND, dtype=float).reshape(len(x_ND), -1)
    return np.hstack([x_ND, np.ones((len(x_ND), 1))])


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    return 0.5 / sigma ** 2 * ag_np.sum((y_N - ag_np.dot(xtilde_NE, wtilde_E)) ** 2)


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xt = add_bias_column(x_ND)
    grad = autograd.grad(lambda w: linreg_neg_log_lik(w, xt, y_N, sigma))
    w = np.zeros(xt.shape[1])
    for _ in range(300):
        w = w - 0.000001 * grad(w)      # the notebook's step: only right for its data
    return w


def make_nn_params_as_list_of_dicts(n_hiddens_per_layer_list=[5], n_dims_input=1,
                                    n_dims_output=1, weight_fill_func=np.zeros,
                                    bias_fill_func=np.zeros):
    sizes = [n_dims_input] + n_hiddens_per_layer_list + [n_dims_output]
    return [dict(w=weight_fill_func((a, b)), b=bias_fill_func((b,)))
            for a, b in zip(sizes[:-1], sizes[1:])]


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    h = x if x.ndim > 1 else x[:, None]
    for i, layer in enumerate(nn_param_list):
        if i > 0:
            h = activation_func(h)
        h = ag_np.dot(h, layer['w']) + layer['b']
    return ag_np.squeeze(h)


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    return 0.5 / sigma ** 2 * ag_np.sum((y_N - predict_y_given_x_with_NN(x_ND, nn_params)) ** 2)


def fit_nn(x_ND, y_N):
    rng = np.random.RandomState(0)
    params = make_nn_params_as_list_of_dicts([10], x_ND.shape[1], 1,
                                             weight_fill_func=lambda s: 0.1 * rng.randn(*s))
    grad = autograd.grad(lambda p: nn_regression_loss(p, x_ND, y_N))
    for _ in range(200):
        g = grad(params)
        params = [{k: layer[k] - 1e-6 * gl[k] for k in layer} for layer, gl in zip(params, g)]
    return params
