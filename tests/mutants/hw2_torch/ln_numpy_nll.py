"""Computes the loss in numpy and wraps it in a new tensor: no gradient flows to y_hat."""
# exercise: logistic_nll
import numpy as np
import torch


def nll(y_hat, y):
    p = np.clip(y_hat.detach().numpy(), 1e-5, 1 - 1e-5)
    t = y.detach().numpy()
    return torch.tensor(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)), dtype=y_hat.dtype)
