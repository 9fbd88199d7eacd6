"""Exercise nn_fit: a small neural network as a list of dicts, trained with autograd.

Parameters are a list with one dict per layer: `w` of shape (n_in, n_out)
and `b` of shape (n_out,). The activation is applied between layers only,
never after the last one, so the output is linear in the last hidden layer.

{{ full_marks }}
"""
import autograd
import autograd.numpy as ag_np
import numpy as np


def make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[5],
        n_dims_input=1,
        n_dims_output=1,
        weight_fill_func=np.zeros,
        bias_fill_func=np.zeros):
    """Create the parameters of a fully connected network.

    Args
    ----
    n_hiddens_per_layer_list : list of int; hidden-layer sizes ([] = linear)
    n_dims_input : int; input size
    n_dims_output : int; output size
    weight_fill_func : callable, maps a shape tuple to an array of that shape
    bias_fill_func : callable, likewise for biases

    Returns
    -------
    nn_param_list : list of dict, one per layer, with 'w' of shape
        (n_in, n_out) and 'b' of shape (n_out,).
    """
    ### BEGIN SOLUTION
    sizes = [n_dims_input] + list(n_hiddens_per_layer_list) + [n_dims_output]
    return [dict(w=weight_fill_func((n_in, n_out)), b=bias_fill_func((n_out,)))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    ### END SOLUTION


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    """Feed-forward prediction.

    Args
    ----
    x : 2D array, shape (N, D); a 1D array is one example of size D when D
        equals the first layer's input size, else N examples with D = 1.
    nn_param_list : list of dict, as made by make_nn_params_as_list_of_dicts
    activation_func : callable applied elementwise between layers

    Returns
    -------
    y : array, the output with size-1 axes squeezed: shape (N,) for one output.
    """
    ### BEGIN SOLUTION
    in_arr = x
    if x.ndim == 1:
        n_in = nn_param_list[0]['w'].shape[0]
        in_arr = x[ag_np.newaxis, :] if x.size == n_in else x[:, ag_np.newaxis]
    for layer_id, layer_dict in enumerate(nn_param_list):
        if layer_id > 0:
            in_arr = activation_func(out_arr)
        out_arr = ag_np.dot(in_arr, layer_dict['w']) + layer_dict['b']
    return ag_np.squeeze(out_arr)
    ### END SOLUTION


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    """0.5 / sigma^2 * sum of squared residuals of the network's predictions.

    Args
    ----
    nn_params : list of dict (see make_nn_params_as_list_of_dicts)
    x_ND : 2D array, shape (N, D)
    y_N : 1D array, shape (N,)
    sigma : float

    Returns
    -------
    loss : float
    """
    ### BEGIN SOLUTION
    yhat_N = predict_y_given_x_with_NN(x_ND, nn_params)
    return 0.5 / sigma ** 2 * ag_np.sum(ag_np.square(y_N - yhat_N))
    ### END SOLUTION


def fit_nn(x_ND, y_N):
    """Train a network on (x_ND, y_N) with gradients from autograd.

    Architecture and optimiser are yours to choose. The grader predicts with
    predict_y_given_x_with_NN and its default activation (tanh), so any
    scaling of inputs or outputs must be folded into the returned weights.

    Args
    ----
    x_ND : 2D array, shape (N, D); any D >= 1 (the course's data set has
        D = 2: build the first layer for x_ND.shape[1] inputs)
    y_N : 1D array, shape (N,)

    Returns
    -------
    nn_params : list of dict; the trained parameters.
    """
    ### BEGIN SOLUTION
    x_ND = np.asarray(x_ND, dtype=np.float64)
    y_N = np.asarray(y_N, dtype=np.float64)
    # Train on standardised data (well-conditioned), then fold the scaling
    # into the first and last layers so the network takes raw x and gives raw y.
    x_mean_D, x_std_D = x_ND.mean(axis=0), x_ND.std(axis=0) + 1e-12
    y_mean, y_std = y_N.mean(), y_N.std() + 1e-12
    z_ND = (x_ND - x_mean_D) / x_std_D
    t_N = (y_N - y_mean) / y_std

    prng = np.random.RandomState(0)
    params = make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[32], n_dims_input=x_ND.shape[1], n_dims_output=1,
        weight_fill_func=lambda shape: prng.randn(*shape) / np.sqrt(shape[0]))

    def loss(p):
        return ag_np.mean(ag_np.square(t_N - predict_y_given_x_with_NN(z_ND, p)))

    params = adam(autograd.grad(loss), params, n_iters=1000, step_size=0.01)
    first, last = params[0], params[-1]
    first['b'] = first['b'] - np.dot(x_mean_D / x_std_D, first['w'])
    first['w'] = first['w'] / x_std_D[:, np.newaxis]
    last['w'] = last['w'] * y_std
    last['b'] = last['b'] * y_std + y_mean
    return params


def adam(grad, params, n_iters=1000, step_size=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam on a list of dicts of arrays; returns new parameters."""
    m = [{k: np.zeros_like(v) for k, v in layer.items()} for layer in params]
    v = [{k: np.zeros_like(a) for k, a in layer.items()} for layer in params]
    params = [dict(layer) for layer in params]
    for t in range(1, n_iters + 1):
        g = grad(params)
        for layer, g_layer, m_layer, v_layer in zip(params, g, m, v):
            for key in layer:
                m_layer[key] = beta1 * m_layer[key] + (1 - beta1) * g_layer[key]
                v_layer[key] = beta2 * v_layer[key] + (1 - beta2) * g_layer[key] ** 2
                m_hat = m_layer[key] / (1 - beta1 ** t)
                v_hat = v_layer[key] / (1 - beta2 ** t)
                layer[key] = layer[key] - step_size * m_hat / (np.sqrt(v_hat) + eps)
    return params
    ### END SOLUTION
