"""Exercise 4 -- a tanh network stored as a list of dicts."""
import autograd
import autograd.numpy as ag_np
import numpy as np


def _layer_sizes(n_hiddens_per_layer_list, n_dims_input, n_dims_output):
    return [n_dims_input] + list(n_hiddens_per_layer_list) + [n_dims_output]


def _make_layer(n_in, n_out, weight_fill_func, bias_fill_func):
    return {'w': weight_fill_func((n_in, n_out)), 'b': bias_fill_func((n_out,))}


def make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[5],
        n_dims_input=1,
        n_dims_output=1,
        weight_fill_func=np.zeros,
        bias_fill_func=np.zeros):
    sizes = _layer_sizes(n_hiddens_per_layer_list, n_dims_input, n_dims_output)
    return [_make_layer(n_in, n_out, weight_fill_func, bias_fill_func)
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _inputs_as_rows(x, n_in):
    """Make x 2D: a 1D x is one example if its length is the input size, else a column."""
    if x.ndim == 2:
        return x
    if n_in > 1 and x.shape[0] == n_in:
        return x[np.newaxis, :]
    return x[:, np.newaxis]


def _affine(h, layer):
    return ag_np.dot(h, layer['w']) + layer['b']


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    h = _inputs_as_rows(x, nn_param_list[0]['w'].shape[0])
    *hidden_layers, output_layer = nn_param_list
    for layer in hidden_layers:
        h = activation_func(_affine(h, layer))
    return ag_np.squeeze(_affine(h, output_layer))


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    residual = y_N - predict_y_given_x_with_NN(x_ND, nn_params)
    return ag_np.sum(ag_np.square(residual)) / (2.0 * sigma ** 2)


class _Scaler:
    """Affine standardisation of inputs and output, and how to fold it into a network."""

    def __init__(self, x_ND, y_N):
        self.x_mean = x_ND.mean(axis=0)
        self.x_scale = np.where(x_ND.std(axis=0) > 0, x_ND.std(axis=0), 1.0)
        self.y_mean = y_N.mean()
        self.y_scale = y_N.std() if y_N.std() > 0 else 1.0

    def x(self, x_ND):
        return (x_ND - self.x_mean) / self.x_scale

    def y(self, y_N):
        return (y_N - self.y_mean) / self.y_scale

    def fold(self, params):
        params = [dict(layer) for layer in params]
        w_in = params[0]['w'] / self.x_scale[:, np.newaxis]
        params[0] = {'w': w_in, 'b': params[0]['b'] - np.dot(self.x_mean, w_in)}
        params[-1] = {'w': params[-1]['w'] * self.y_scale,
                      'b': params[-1]['b'] * self.y_scale + self.y_mean}
        return params


class _Adam:
    """Adam on a list of dicts of arrays."""

    def __init__(self, params, lr=0.005, beta1=0.9, beta2=0.99, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [{k: np.zeros_like(a) for k, a in layer.items()} for layer in params]
        self.v = [{k: np.zeros_like(a) for k, a in layer.items()} for layer in params]
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        c1, c2 = 1 - self.beta1 ** self.t, 1 - self.beta2 ** self.t
        new = []
        for layer, g_layer, m_layer, v_layer in zip(params, grads, self.m, self.v):
            updated = {}
            for k in layer:
                m_layer[k] = self.beta1 * m_layer[k] + (1 - self.beta1) * g_layer[k]
                v_layer[k] = self.beta2 * v_layer[k] + (1 - self.beta2) * g_layer[k] ** 2
                updated[k] = layer[k] - self.lr * (m_layer[k] / c1) / (np.sqrt(v_layer[k] / c2) + self.eps)
            new.append(updated)
        return new


def _glorot(rng):
    def fill(shape):
        limit = np.sqrt(6.0 / (shape[0] + shape[1]))
        return rng.uniform(-limit, limit, size=shape)
    return fill


HIDDEN_SIZES = [16, 16]
N_ADAM_STEPS = 1500
INIT_SEED = 2


def fit_nn(x_ND, y_N):
    x_ND = x_ND if x_ND.ndim == 2 else x_ND[:, np.newaxis]
    scaler = _Scaler(x_ND, y_N)
    xs, ys = scaler.x(x_ND), scaler.y(y_N)
    params = make_nn_params_as_list_of_dicts(HIDDEN_SIZES, x_ND.shape[1], 1,
                                             weight_fill_func=_glorot(np.random.RandomState(INIT_SEED)))
    loss_grad = autograd.grad(lambda p: nn_regression_loss(p, xs, ys, sigma=1.0) / ys.size)
    optimizer = _Adam(params)
    for _ in range(N_ADAM_STEPS):
        params = optimizer.step(params, loss_grad(params))
    return scaler.fold(params)
