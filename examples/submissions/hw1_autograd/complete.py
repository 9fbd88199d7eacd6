"""A hw1_autograd submission as a single .py file (generated example)."""
import autograd
import autograd.numpy as ag_np
import numpy as np
import copy


def decaying_cosine(x):
    """Evaluate f(x) = exp(-x/10) * cos(x).

    Args
    ----
    x : float
        A scalar input (autograd may pass a traced box instead of a float).

    Returns
    -------
    f_x : float
        The value of f at x.
    """
    return ag_np.exp(-x / 10.0) * ag_np.cos(x)


def decaying_cosine_grad(x):
    """Evaluate the derivative df/dx at x, computed by `autograd.grad`.

    Args
    ----
    x : float
        A scalar input. Pass floats, not ints: autograd cannot
        differentiate with respect to an integer.

    Returns
    -------
    g_x : float
        The derivative of `decaying_cosine` at x.
    """
    return autograd.grad(decaying_cosine)(x)


def add_bias_column(x_ND):
    """Append a column of ones to the inputs.

    Args
    ----
    x_ND : 2D array, shape (N, D); a 1D array of shape (N,) means D = 1.

    Returns
    -------
    xtilde_NE : 2D array, shape (N, E) with E = D + 1; the last column is 1.
    """
    x_ND = np.asarray(x_ND, dtype=np.float64)
    if x_ND.ndim == 1:
        x_ND = x_ND[:, np.newaxis]
    return np.hstack([x_ND, np.ones((x_ND.shape[0], 1))])


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    """Negative log likelihood (up to a constant) of linear regression.

    Args
    ----
    wtilde_E : 1D array, shape (E,); weights, then the bias
    xtilde_NE : 2D array, shape (N, E); inputs with the bias column
    y_N : 1D array, shape (N,); outputs
    sigma : float; the noise standard deviation

    Returns
    -------
    loss : float; 0.5 / sigma^2 * sum of squared residuals
    """
    resid_N = y_N - ag_np.dot(xtilde_NE, wtilde_E)
    return 0.5 / sigma ** 2 * ag_np.sum(ag_np.square(resid_N))


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    """Fit weights and bias by gradient descent on `linreg_neg_log_lik`.

    Use gradients from autograd; no closed-form solver (np.linalg.solve,
    lstsq, inv, pinv). The step size must suit the data you are given.

    Args
    ----
    x_ND : 2D array, shape (N, D) (or 1D, shape (N,), for D = 1)
    y_N : 1D array, shape (N,)
    sigma : float

    Returns
    -------
    wtilde_E : 1D array, shape (E,) = (D + 1,); weights, then the bias.
    """
    xtilde_NE = add_bias_column(x_ND)
    y_N = np.asarray(y_N, dtype=np.float64)

    def loss(wtilde_E):
        return linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma)

    grad = autograd.grad(loss)
    # The loss is quadratic with Hessian H = X~^T X~ / sigma^2. A step of
    # 1/lambda_max(H) is the largest that never overshoots; the Frobenius
    # norm bounds lambda_max from above, so 1/||H||_F is safe on any data.
    hessian_EE = np.dot(xtilde_NE.T, xtilde_NE) / sigma ** 2
    step_size = 1.0 / np.sqrt(np.sum(np.square(hessian_EE)))
    wtilde_E = np.zeros(xtilde_NE.shape[1])
    for _ in range(50000):
        g_E = grad(wtilde_E)
        wtilde_E = wtilde_E - step_size * g_E
        if np.linalg.norm(step_size * g_E) < 1e-12 * (1.0 + np.linalg.norm(wtilde_E)):
            break
    return wtilde_E


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
    sizes = [n_dims_input] + list(n_hiddens_per_layer_list) + [n_dims_output]
    return [dict(w=weight_fill_func((n_in, n_out)), b=bias_fill_func((n_out,)))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


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
    in_arr = x
    if x.ndim == 1:
        n_in = nn_param_list[0]['w'].shape[0]
        in_arr = x[ag_np.newaxis, :] if x.size == n_in else x[:, ag_np.newaxis]
    for layer_id, layer_dict in enumerate(nn_param_list):
        if layer_id > 0:
            in_arr = activation_func(out_arr)
        out_arr = ag_np.dot(in_arr, layer_dict['w']) + layer_dict['b']
    return ag_np.squeeze(out_arr)


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
    yhat_N = predict_y_given_x_with_NN(x_ND, nn_params)
    return 0.5 / sigma ** 2 * ag_np.sum(ag_np.square(y_N - yhat_N))


def fit_nn(x_ND, y_N):
    """Train a network on (x_ND, y_N) with gradients from autograd.

    Architecture and optimiser are yours to choose. The grader predicts with
    predict_y_given_x_with_NN and its default activation (tanh), so any
    scaling of inputs or outputs must be folded into the returned weights.

    Args
    ----
    x_ND : 2D array, shape (N, D)
    y_N : 1D array, shape (N,)

    Returns
    -------
    nn_params : list of dict; the trained parameters.
    """
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


def trid(x_D):
    """Evaluate the Trid function.

    Args
    ----
    x_D : 1D array, shape (D,), D >= 2

    Returns
    -------
    f : float
    """
    return ag_np.sum(ag_np.square(x_D - 1.0)) - ag_np.sum(x_D[1:] * x_D[:-1])


def trid_grad(x_D):
    """Gradient of `trid` at x_D, computed by `autograd.grad`.

    Args
    ----
    x_D : 1D array of floats, shape (D,)

    Returns
    -------
    g_D : 1D array, shape (D,)
    """
    return autograd.grad(trid)(x_D)


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    """Run plain gradient descent: x <- x - step_size * g(x).

    Args
    ----
    f : callable, maps x_D (shape (D,)) to a float
    g : callable, maps x_D to its gradient, shape (D,)
    init_x_D : 1D array, shape (D,); the start point. It is NOT modified.
    n_iters : int; the number of history entries. Entry 0 is the start
        point, so n_iters - 1 updates are made.
    step_size : float; the learning rate.

    Returns
    -------
    x_D : 1D array, shape (D,); the last iterate
    history : dict with keys 'iter', 'f', 'x_D', 'g_D', each a list of
        length n_iters; entry t holds t, f(x_t), x_t and g(x_t).
    """
    x_D = copy.deepcopy(init_x_D)
    history = dict(iter=[], f=[], x_D=[], g_D=[])
    for iter_id in range(n_iters):
        if iter_id > 0:
            # A new array each step, so the history never aliases one buffer.
            x_D = x_D - step_size * g(x_D)
        history['iter'].append(iter_id)
        history['f'].append(f(x_D))
        history['x_D'].append(x_D)
        history['g_D'].append(g(x_D))
    return x_D, history


def minimize_trid(init_x_D):
    """Find the minimiser of `trid` by gradient descent from init_x_D.

    Args
    ----
    init_x_D : 1D array of floats, shape (D,), D >= 2

    Returns
    -------
    x_D : 1D array, shape (D,); within 1e-5 of the true minimiser in
        every coordinate.
    """
    # The Hessian of trid is 2I minus the off-diagonal ones: its eigenvalues
    # lie in (0, 4), so any step below 2/4 = 0.5 converges. Iterate in blocks
    # until the gradient is tiny: the needed count grows with D (condition number).
    x_D = np.asarray(init_x_D, dtype=np.float64)
    for _ in range(500):
        x_D, history = run_many_iters_of_gradient_descent(
            trid, trid_grad, x_D, n_iters=100, step_size=0.45)
        if np.max(np.abs(history['g_D'][-1])) < 1e-9:
            break
    return x_D
