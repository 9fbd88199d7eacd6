# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


def add_bias_column(x_ND):
    """Append a column of ones to the inputs.

    Args
    ----
    x_ND : 2D array, shape (N, D); a 1D array of shape (N,) means D = 1.

    Returns
    -------
    xtilde_NE : 2D array, shape (N, E) with E = D + 1; the last column is 1.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


def trid(x_D):
    """Evaluate the Trid function.

    Args
    ----
    x_D : 1D array, shape (D,), D >= 2

    Returns
    -------
    f : float
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def trid_grad(x_D):
    """Gradient of `trid` at x_D, computed by `autograd.grad`.

    Args
    ----
    x_D : 1D array of floats, shape (D,)

    Returns
    -------
    g_D : 1D array, shape (D,)
    """
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()
