"""Hard-codes tanh between layers and ignores the activation_func argument."""
# exercise: nn_fit
import autograd.numpy as ag_np


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    in_arr = x
    if x.ndim == 1:
        n_in = nn_param_list[0]['w'].shape[0]
        in_arr = x[ag_np.newaxis, :] if x.size == n_in else x[:, ag_np.newaxis]
    for layer_id, layer_dict in enumerate(nn_param_list):
        if layer_id > 0:
            in_arr = ag_np.tanh(out_arr)
        out_arr = ag_np.dot(in_arr, layer_dict['w']) + layer_dict['b']
    return ag_np.squeeze(out_arr)
