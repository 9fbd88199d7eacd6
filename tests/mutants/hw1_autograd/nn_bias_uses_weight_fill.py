"""Fills biases with weight_fill_func."""
# exercise: nn_fit
import numpy as np


def make_nn_params_as_list_of_dicts(n_hiddens_per_layer_list=[5], n_dims_input=1,
                                    n_dims_output=1, weight_fill_func=np.zeros,
                                    bias_fill_func=np.zeros):
    sizes = [n_dims_input] + list(n_hiddens_per_layer_list) + [n_dims_output]
    return [dict(w=weight_fill_func((a, b)), b=weight_fill_func((b,)))
            for a, b in zip(sizes[:-1], sizes[1:])]
