import copy

import autograd
import autograd.numpy as ag_np
import numpy as np


def trid(x_D):
    # First sum: squared distance of every coordinate from 1.
    offsets_D = x_D - 1.0
    sum_of_squared_offsets = ag_np.sum(ag_np.square(offsets_D))
    # Second sum: products of neighbouring coordinates x_d * x_{d-1}, d = 2..D.
    later_coords_Dm1 = x_D[1:]
    earlier_coords_Dm1 = x_D[:-1]
    sum_of_neighbour_products = ag_np.sum(later_coords_Dm1 * earlier_coords_Dm1)
    f = sum_of_squared_offsets - sum_of_neighbour_products
    return f


def trid_grad(x_D):
    # Let autograd do the differentiation.
    gradient_function = autograd.grad(trid)
    g_D = gradient_function(x_D)
    return g_D


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    # Work on a copy so that the caller's start point is never modified.
    current_x_D = np.array(init_x_D, dtype=np.float64, copy=True)

    iter_list = []
    f_list = []
    x_list = []
    g_list = []

    for iter_id in range(n_iters):
        # Evaluate the function and its gradient at the current iterate.
        current_f = f(current_x_D)
        current_g_D = g(current_x_D)

        # Record entry number iter_id of the history.
        iter_list.append(iter_id)
        f_list.append(current_f)
        x_list.append(current_x_D)
        g_list.append(current_g_D)

        # The last entry gets no update: n_iters entries means n_iters - 1 steps.
        is_last_entry = (iter_id == n_iters - 1)
        if not is_last_entry:
            # Build a NEW array (no in-place -=) so older history entries keep their values.
            current_x_D = current_x_D - step_size * current_g_D

    history = {'iter': iter_list, 'f': f_list, 'x_D': x_list, 'g_D': g_list}
    return current_x_D, history


def minimize_trid(init_x_D):
    # The Hessian of trid is 2 on the diagonal and -1 next to it, so by Gershgorin
    # every eigenvalue is at most 2 + 2 = 4. Any step below 2 / 4 = 0.5 is stable.
    largest_curvature_bound = 4.0
    step_size = 1.8 / largest_curvature_bound

    # Stop when the iterate barely moves, or after a generous maximum.
    max_iters = 200000
    move_tolerance = 1e-11

    current_x_D = np.array(init_x_D, dtype=np.float64, copy=True)
    iters_done = 0
    while iters_done < max_iters:
        gradient_D = trid_grad(current_x_D)
        move_D = step_size * gradient_D
        current_x_D = current_x_D - move_D
        iters_done += 1
        largest_move = np.max(np.abs(move_D))
        if largest_move < move_tolerance:
            break
    return current_x_D
