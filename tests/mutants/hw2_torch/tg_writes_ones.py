"""fit_linear_torch writes 1.0 into x_N2[:, 1] ("the second column is the constant"): the
docstring says only that it USUALLY is, and the caller's tensor is changed in place."""
# exercise: torch_gd
import torch
from torch import nn


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    x_N2[:, 1] = 1.0
    a = nn.Parameter(torch.tensor([-1.0, 1.0], dtype=torch.float64))
    losses = []
    for _ in range(n_iters):
        loss = ((x_N2 @ a - y_N) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()
    return a.detach(), losses
