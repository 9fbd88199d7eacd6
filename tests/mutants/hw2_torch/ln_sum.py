"""Sums over examples instead of averaging."""
# exercise: logistic_nll
import torch


def nll(y_hat, y):
    y_hat = torch.clamp(y_hat, 1e-5, 1 - 1e-5)
    return -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).sum()
