"""predict_y_given_x_with_NN loops over the first three layers only (a loop written for the
networks of the examples, at most two hidden layers), so a deeper network's last layers are
never applied."""
# exercise: nn_fit
import autograd.numpy as ag_np


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    in_arr = x
    if x.ndim == 1:
        n_in = nn_param_list[0]['w'].shape[0]
        in_arr = x[ag_np.newaxis, :] if x.size == n_in else x[:, ag_np.newaxis]
    for layer_id in range(min(3, len(nn_param_list))):
        if layer_id > 0:
            in_arr = activation_func(out_arr)
        out_arr = ag_np.dot(in_arr, nn_param_list[layer_id]['w']) + nn_param_list[layer_id]['b']
    return ag_np.squeeze(out_arr)
