"""Never applies the activation: the network is linear."""
# exercise: nn_fit
import autograd.numpy as ag_np


def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=ag_np.tanh):
    in_arr = x if x.ndim > 1 else x[:, ag_np.newaxis]
    for layer in nn_param_list:
        in_arr = ag_np.dot(in_arr, layer['w']) + layer['b']
    return ag_np.squeeze(in_arr)
