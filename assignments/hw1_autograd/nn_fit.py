# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
"""Exercise nn_fit: a small neural network as a list of dicts, trained with autograd.

Parameters are a list with one dict per layer: `w` of shape (n_in, n_out)
and `b` of shape (n_out,). The activation is applied between layers only,
never after the last one, so the output is linear in the last hidden layer.

Full marks need (from course.yml):
- param_shapes (1 point): make_nn_params_as_list_of_dicts builds (n_in, n_out) weights
  and (n_out,) biases for each layer and fills them with the given functions.
- predict (2 points): predict_y_given_x_with_NN matches the grader's forward pass for
  random parameters, 1D and 2D inputs and non-default activations (relative error at
  most 1e-10).
- loss (1 point): nn_regression_loss equals 0.5 / sigma^2 * sum of squared residuals
  (relative error at most 1e-10).
- loss_gradient (1 point): autograd differentiates nn_regression_loss w.r.t. the list of
  dicts: the result matches the grader's gradient per coordinate and central differences
  of the student's own loss along random directions (relative error at most 1e-10).
- fit (3 points): fit_nn's network, for x_ND with any number D of features, reaches a
  held-out R^2 >= 0.99 (predicted by predict_y_given_x_with_NN with tanh), with at most
  200000 parameters; below that, 70% of the points from R^2 >= 0.95, 50% of the points
  from R^2 >= 0.9, 20% of the points from R^2 >= 0.5.
- time limit: 10 s per check (fit: 90 s).
- hidden checks (4 points) hold the same standards on inputs you have not seen (other
  sizes, seeds and data).
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
    x_ND : 2D array, shape (N, D); any D >= 1 (the course's data set has
        D = 2: build the first layer for x_ND.shape[1] inputs)
    y_N : 1D array, shape (N,)

    Returns
    -------
    nn_params : list of dict; the trained parameters.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
