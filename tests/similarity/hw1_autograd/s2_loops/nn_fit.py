import autograd
import autograd.numpy as ag_np
import numpy as np


def make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[5],
        n_dims_input=1,
        n_dims_output=1,
        weight_fill_func=np.zeros,
        bias_fill_func=np.zeros):
    sizes = [n_dims_input]
    for h in n_hiddens_per_layer_list:
        sizes.append(h)
    sizes.append(n_dims_output)
    params = []
    for k in range(len(sizes) - 1):
        layer = {}
        layer['w'] = weight_fill_func((sizes[k], sizes[k + 1]))
        layer['b'] = bias_fill_func((sizes[k + 1],))
        params.append(layer)
    return params


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    n_in = nn_param_list[0]['w'].shape[0]
    if x.ndim == 1:
        if n_in > 1 and x.shape[0] == n_in:
            x = x.reshape((1, n_in))
        else:
            x = x.reshape((x.shape[0], 1))
    h = x
    L = len(nn_param_list)
    for k in range(L):
        h = ag_np.dot(h, nn_param_list[k]['w']) + nn_param_list[k]['b']
        if k < L - 1:
            h = activation_func(h)
    if h.shape[1] == 1:
        h = h[:, 0]
    if h.shape[0] == 1:
        h = h[0]
    return h


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    yhat = predict_y_given_x_with_NN(x_ND, nn_params)
    total = ag_np.sum((yhat - y_N) ** 2)
    return total / (2.0 * sigma ** 2)


def fit_nn(x_ND, y_N):
    if x_ND.ndim == 1:
        x_ND = x_ND.reshape((x_ND.shape[0], 1))
    N, D = x_ND.shape

    # standardise every input column and the output
    means = np.zeros(D)
    stds = np.ones(D)
    xs = np.zeros((N, D))
    for d in range(D):
        means[d] = np.mean(x_ND[:, d])
        stds[d] = np.std(x_ND[:, d])
        if stds[d] == 0:
            stds[d] = 1.0
        xs[:, d] = (x_ND[:, d] - means[d]) / stds[d]
    ymean = np.mean(y_N)
    ystd = np.std(y_N)
    if ystd == 0:
        ystd = 1.0
    ys = (y_N - ymean) / ystd

    rs = np.random.RandomState(123)
    params = make_nn_params_as_list_of_dicts(
        [24], D, 1,
        weight_fill_func=lambda shape: rs.normal(0, 0.8, size=shape),
        bias_fill_func=lambda shape: rs.normal(0, 0.5, size=shape))

    def mean_loss(p):
        return nn_regression_loss(p, xs, ys, sigma=1.0) / N

    grad_fn = autograd.grad(mean_loss)

    # Adam, written out layer by layer
    lr, b1, b2, eps = 0.008, 0.9, 0.999, 1e-8
    m = []
    v = []
    for k in range(len(params)):
        m.append({'w': np.zeros_like(params[k]['w']), 'b': np.zeros_like(params[k]['b'])})
        v.append({'w': np.zeros_like(params[k]['w']), 'b': np.zeros_like(params[k]['b'])})
    for it in range(1, 2501):
        grads = grad_fn(params)
        for k in range(len(params)):
            for key in ['w', 'b']:
                m[k][key] = b1 * m[k][key] + (1 - b1) * grads[k][key]
                v[k][key] = b2 * v[k][key] + (1 - b2) * grads[k][key] ** 2
                mhat = m[k][key] / (1 - b1 ** it)
                vhat = v[k][key] / (1 - b2 ** it)
                params[k][key] = params[k][key] - lr * mhat / (np.sqrt(vhat) + eps)

    # undo the scaling inside the weights
    first = params[0]
    new_w = np.zeros_like(first['w'])
    new_b = first['b'].copy()
    for d in range(D):
        new_w[d, :] = first['w'][d, :] / stds[d]
        new_b = new_b - first['w'][d, :] * means[d] / stds[d]
    params[0] = {'w': new_w, 'b': new_b}
    last = params[-1]
    params[-1] = {'w': last['w'] * ystd, 'b': last['b'] * ystd + ymean}
    return params
