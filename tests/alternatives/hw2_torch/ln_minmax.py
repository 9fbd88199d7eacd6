"""Clamps with torch.minimum / torch.maximum and writes the two terms separately."""
# exercise: logistic_nll
import torch


def nll(y_hat, y):
    low = torch.tensor(1e-5, dtype=y_hat.dtype)
    high = torch.tensor(1 - 1e-5, dtype=y_hat.dtype)
    p = torch.minimum(torch.maximum(y_hat, low), high)
    pos = y * torch.log(p)
    neg = (1 - y) * torch.log1p(-p)
    return -torch.mean(pos + neg)
