import autograd
import autograd.numpy as ag_np
import numpy as np
from autograd.misc import flatten


def make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[5],
        n_dims_input=1,
        n_dims_output=1,
        weight_fill_func=np.zeros,
        bias_fill_func=np.zeros):
    # Sizes of every layer's input, in order: input, hidden..., and the output at the end.
    all_layer_sizes = [n_dims_input] + list(n_hiddens_per_layer_list) + [n_dims_output]
    input_sizes = all_layer_sizes[:-1]
    output_sizes = all_layer_sizes[1:]

    nn_param_list = []
    for n_in, n_out in zip(input_sizes, output_sizes):
        weights_IO = weight_fill_func((n_in, n_out))
        biases_O = bias_fill_func((n_out,))
        nn_param_list.append(dict(w=weights_IO, b=biases_O))
    return nn_param_list


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    # Bring the input into shape (N, D).
    n_inputs_first_layer = nn_param_list[0]['w'].shape[0]
    if x.ndim == 1 and x.shape[0] == n_inputs_first_layer:
        # One example with D features.
        x_ND = x.reshape(1, n_inputs_first_layer)
    elif x.ndim == 1:
        # N examples with a single feature.
        x_ND = x.reshape(-1, 1)
    else:
        x_ND = x

    n_layers = len(nn_param_list)
    layer_input_NH = x_ND
    for layer_id, layer_dict in enumerate(nn_param_list):
        # Affine map of this layer.
        layer_output_NH = ag_np.dot(layer_input_NH, layer_dict['w']) + layer_dict['b']
        is_output_layer = (layer_id == n_layers - 1)
        if is_output_layer:
            # No activation after the last layer: the output is linear.
            layer_input_NH = layer_output_NH
        else:
            layer_input_NH = activation_func(layer_output_NH)

    output_NO = layer_input_NH
    # Drop the size-1 axes, e.g. (N, 1) -> (N,).
    y = ag_np.squeeze(output_NO)
    return y


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    yhat_N = predict_y_given_x_with_NN(x_ND, nn_params)
    residual_N = y_N - yhat_N
    sum_squared_residuals = ag_np.sum(ag_np.square(residual_N))
    loss = 0.5 / (sigma ** 2) * sum_squared_residuals
    return loss


def fit_nn(x_ND, y_N):
    # Make sure the input is 2D.
    x_ND = np.asarray(x_ND, dtype=np.float64)
    if x_ND.ndim == 1:
        x_ND = x_ND.reshape(-1, 1)
    n_examples, n_features = x_ND.shape

    # Standardise inputs and outputs so that the optimiser sees values of size about 1.
    x_mean_D = np.mean(x_ND, axis=0)
    x_std_D = np.std(x_ND, axis=0)
    x_std_D[x_std_D == 0.0] = 1.0
    y_mean = np.mean(y_N)
    y_std = np.std(y_N)
    if y_std == 0.0:
        y_std = 1.0
    z_ND = (x_ND - x_mean_D) / x_std_D
    t_N = (y_N - y_mean) / y_std

    # Architecture: one hidden layer of 40 tanh units, small random initial weights.
    n_hidden_units = 40
    init_prng = np.random.RandomState(2024)
    initial_params = make_nn_params_as_list_of_dicts(
        [n_hidden_units], n_dims_input=n_features, n_dims_output=1,
        weight_fill_func=lambda shape: 0.5 * init_prng.randn(*shape),
        bias_fill_func=lambda shape: 0.1 * init_prng.randn(*shape))

    # Optimise a flat vector of all parameters (flatten gives us the way back).
    flat_params_P, unflatten_params = flatten(initial_params)

    def mean_loss_of_flat(flat_P):
        params = unflatten_params(flat_P)
        # sigma = 1 on the standardised data; divide by N to get a mean squared error.
        return nn_regression_loss(params, z_ND, t_N, sigma=1.0) / n_examples

    gradient_of_flat = autograd.grad(mean_loss_of_flat)

    # RMSprop with momentum: step sizes adapt per coordinate.
    learning_rate = 0.003
    decay_rate = 0.95
    momentum = 0.9
    epsilon = 1e-8
    n_steps = 3000
    average_squared_gradient_P = np.zeros_like(flat_params_P)
    velocity_P = np.zeros_like(flat_params_P)
    for step_id in range(n_steps):
        gradient_P = gradient_of_flat(flat_params_P)
        average_squared_gradient_P = (decay_rate * average_squared_gradient_P
                                      + (1.0 - decay_rate) * np.square(gradient_P))
        scaled_gradient_P = gradient_P / (np.sqrt(average_squared_gradient_P) + epsilon)
        velocity_P = momentum * velocity_P - learning_rate * scaled_gradient_P
        flat_params_P = flat_params_P + velocity_P

    trained_params = unflatten_params(flat_params_P)

    # Fold the standardisation into the weights:
    # first layer:  ((x - mean) / std) @ W + b  =  x @ (W / std) + (b - (mean / std) @ W)
    first_layer = trained_params[0]
    first_w_scaled = first_layer['w'] / x_std_D[:, np.newaxis]
    first_b_shifted = first_layer['b'] - np.dot(x_mean_D / x_std_D, first_layer['w'])
    trained_params[0] = dict(w=first_w_scaled, b=first_b_shifted)
    # last layer:  y = y_std * t + y_mean
    last_layer = trained_params[-1]
    last_w_scaled = last_layer['w'] * y_std
    last_b_shifted = last_layer['b'] * y_std + y_mean
    trained_params[-1] = dict(w=last_w_scaled, b=last_b_shifted)
    return trained_params
