import autograd
import autograd.numpy as ag_np
import numpy as np


def add_bias_column(x_ND):
    if len(x_ND.shape) == 1:
        x_with_two_dimensions = x_ND.reshape((x_ND.shape[0], 1))
    else:
        x_with_two_dimensions = x_ND
    number_of_rows = x_with_two_dimensions.shape[0]
    column_of_ones = np.ones((number_of_rows, 1))
    xtilde_NE = np.hstack([x_with_two_dimensions, column_of_ones])
    return xtilde_NE


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    predictions = ag_np.dot(xtilde_NE, wtilde_E)
    errors = y_N - predictions
    squared_errors = errors ** 2
    total_squared_error = ag_np.sum(squared_errors)
    loss = 0.5 / (sigma ** 2) * total_squared_error
    return loss


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xtilde_NE = add_bias_column(x_ND)
    number_of_weights = xtilde_NE.shape[1]
    weights = np.zeros(number_of_weights)
    gradient_function = autograd.grad(linreg_neg_log_lik)

    # Start with a tiny step and adapt it: grow it after a good step, shrink it when the
    # loss goes up (then the step is undone).
    step_size = 1e-8
    current_loss = linreg_neg_log_lik(weights, xtilde_NE, y_N, sigma)
    current_gradient = gradient_function(weights, xtilde_NE, y_N, sigma)
    starting_gradient_size = np.sqrt(np.sum(current_gradient ** 2))
    number_of_steps = 0
    while number_of_steps < 500000:
        gradient_size = np.sqrt(np.sum(current_gradient ** 2))
        if gradient_size < 1e-9 * starting_gradient_size:
            break
        if step_size < 1e-300:
            # the loss cannot go down any more
            break
        new_weights = weights - step_size * current_gradient
        new_loss = linreg_neg_log_lik(new_weights, xtilde_NE, y_N, sigma)
        if new_loss <= current_loss:
            weights = new_weights
            current_loss = new_loss
            current_gradient = gradient_function(weights, xtilde_NE, y_N, sigma)
            step_size = step_size * 1.2
        else:
            step_size = step_size * 0.5
        number_of_steps = number_of_steps + 1
    return weights
