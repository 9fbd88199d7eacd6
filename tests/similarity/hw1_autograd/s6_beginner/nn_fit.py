import autograd
import autograd.numpy as ag_np
import numpy as np


def make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[5],
        n_dims_input=1,
        n_dims_output=1,
        weight_fill_func=np.zeros,
        bias_fill_func=np.zeros):
    list_of_layer_sizes = [n_dims_input]
    for number_of_hidden_units in n_hiddens_per_layer_list:
        list_of_layer_sizes.append(number_of_hidden_units)
    list_of_layer_sizes.append(n_dims_output)

    nn_param_list = []
    layer_number = 0
    while layer_number < len(list_of_layer_sizes) - 1:
        number_of_inputs = list_of_layer_sizes[layer_number]
        number_of_outputs = list_of_layer_sizes[layer_number + 1]
        layer_weights = weight_fill_func((number_of_inputs, number_of_outputs))
        layer_biases = bias_fill_func((number_of_outputs,))
        nn_param_list.append({'w': layer_weights, 'b': layer_biases})
        layer_number = layer_number + 1
    return nn_param_list


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    number_of_input_features = nn_param_list[0]['w'].shape[0]
    if len(x.shape) == 1:
        if x.shape[0] == number_of_input_features:
            x = x.reshape((1, number_of_input_features))
        else:
            x = x.reshape((x.shape[0], 1))

    current_values = x
    layer_number = 0
    number_of_layers = len(nn_param_list)
    while layer_number < number_of_layers:
        weights = nn_param_list[layer_number]['w']
        biases = nn_param_list[layer_number]['b']
        current_values = ag_np.dot(current_values, weights) + biases
        if layer_number != number_of_layers - 1:
            current_values = activation_func(current_values)
        layer_number = layer_number + 1

    output = ag_np.squeeze(current_values)
    return output


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    predictions = predict_y_given_x_with_NN(x_ND, nn_params)
    errors = y_N - predictions
    total_squared_error = ag_np.sum(errors ** 2)
    loss = 0.5 / (sigma ** 2) * total_squared_error
    return loss


def fit_nn(x_ND, y_N):
    if len(x_ND.shape) == 1:
        x_ND = x_ND.reshape((x_ND.shape[0], 1))
    number_of_examples = x_ND.shape[0]
    number_of_features = x_ND.shape[1]

    # make the data have mean 0 and standard deviation 1 (this helps gradient descent a lot)
    mean_of_x = np.mean(x_ND, axis=0)
    standard_deviation_of_x = np.std(x_ND, axis=0)
    standard_deviation_of_x[standard_deviation_of_x == 0] = 1.0
    mean_of_y = np.mean(y_N)
    standard_deviation_of_y = np.std(y_N)
    if standard_deviation_of_y == 0:
        standard_deviation_of_y = 1.0
    normalized_x = (x_ND - mean_of_x) / standard_deviation_of_x
    normalized_y = (y_N - mean_of_y) / standard_deviation_of_y

    random_number_generator = np.random.RandomState(99)

    def random_weights(shape):
        return random_number_generator.normal(0.0, 1.0, size=shape) / np.sqrt(shape[0])

    nn_params = make_nn_params_as_list_of_dicts(
        n_hiddens_per_layer_list=[20],
        n_dims_input=number_of_features,
        n_dims_output=1,
        weight_fill_func=random_weights,
        bias_fill_func=np.zeros)

    def average_loss(params):
        return nn_regression_loss(params, normalized_x, normalized_y, sigma=1.0) / number_of_examples

    gradient_function = autograd.grad(average_loss)

    # gradient descent with momentum
    learning_rate = 0.05
    momentum = 0.9
    velocity = []
    for layer in nn_params:
        velocity.append({'w': np.zeros(layer['w'].shape), 'b': np.zeros(layer['b'].shape)})
    number_of_steps_done = 0
    while number_of_steps_done < 6000:
        gradient = gradient_function(nn_params)
        layer_number = 0
        while layer_number < len(nn_params):
            for name in ['w', 'b']:
                velocity[layer_number][name] = (momentum * velocity[layer_number][name]
                                                - learning_rate * gradient[layer_number][name])
                nn_params[layer_number][name] = nn_params[layer_number][name] + velocity[layer_number][name]
            layer_number = layer_number + 1
        number_of_steps_done = number_of_steps_done + 1

    # put the normalization into the first and last layer so that the network works on raw x and y
    first_layer = nn_params[0]
    new_first_weights = first_layer['w'] / standard_deviation_of_x.reshape((number_of_features, 1))
    new_first_biases = first_layer['b'] - np.dot(mean_of_x, new_first_weights)
    nn_params[0] = {'w': new_first_weights, 'b': new_first_biases}
    last_layer = nn_params[-1]
    new_last_weights = last_layer['w'] * standard_deviation_of_y
    new_last_biases = last_layer['b'] * standard_deviation_of_y + mean_of_y
    nn_params[-1] = {'w': new_last_weights, 'b': new_last_biases}
    return nn_params
