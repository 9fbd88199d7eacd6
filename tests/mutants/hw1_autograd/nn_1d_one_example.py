"""Turns every 1D input into a column (N examples of one feature), so the docstring's other
1D case, ONE example of D > 1 features, breaks (shape (D, 1) against weights (D, H))."""
# exercise: nn_fit
import autograd.numpy as ag_np


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    in_arr = x[:, ag_np.newaxis] if x.ndim == 1 else x
    for layer_id, layer_dict in enumerate(nn_param_list):
        if layer_id > 0:
            in_arr = activation_func(out_arr)
        out_arr = ag_np.dot(in_arr, layer_dict['w']) + layer_dict['b']
    return ag_np.squeeze(out_arr)
