"""Hard-codes sigma = 0.1 in the loss (0.5 / 0.1**2) and ignores the sigma argument."""
# exercise: nn_fit
import autograd.numpy as ag_np


def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1):
    yhat_N = predict_y_given_x_with_NN(x_ND, nn_params)
    return 50.0 * ag_np.sum(ag_np.square(y_N - yhat_N))
