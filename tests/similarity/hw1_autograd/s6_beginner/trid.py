import copy

import autograd
import autograd.numpy as ag_np
import numpy as np


def trid(x_D):
    first_sum = ag_np.sum((x_D - 1) ** 2)
    second_sum = ag_np.sum(x_D[1:] * x_D[0:-1])
    answer = first_sum - second_sum
    return answer


def trid_grad(x_D):
    gradient_function = autograd.grad(trid)
    gradient_vector = gradient_function(x_D)
    return gradient_vector


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    current_position = copy.deepcopy(init_x_D)
    current_position = current_position * 1.0
    history = {}
    history['iter'] = []
    history['f'] = []
    history['x_D'] = []
    history['g_D'] = []
    iteration_number = 0
    while iteration_number < n_iters:
        function_value = f(current_position)
        gradient_value = g(current_position)
        history['iter'].append(iteration_number)
        history['f'].append(function_value)
        history['x_D'].append(current_position)
        history['g_D'].append(gradient_value)
        if iteration_number < n_iters - 1:
            current_position = current_position - step_size * gradient_value
        iteration_number = iteration_number + 1
    return current_position, history


def minimize_trid(init_x_D):
    current_position = copy.deepcopy(init_x_D)
    current_position = current_position * 1.0
    step_size = 0.2
    tolerance = 1e-9
    maximum_number_of_steps = 1000000
    number_of_steps = 0
    keep_going = True
    while keep_going:
        gradient_value = trid_grad(current_position)
        current_position = current_position - step_size * gradient_value
        number_of_steps = number_of_steps + 1
        biggest_gradient_entry = np.max(np.abs(gradient_value))
        if biggest_gradient_entry < tolerance:
            keep_going = False
        if number_of_steps >= maximum_number_of_steps:
            keep_going = False
    return current_position
