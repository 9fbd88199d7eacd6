"""Uses the mean squared error instead of the scaled sum."""
# exercise: nn_fit
import autograd.numpy as ag_np


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    return ag_np.mean(ag_np.square(y_N - predict_y_given_x_with_NN(x_ND, nn_params)))
