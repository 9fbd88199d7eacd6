"""The parameter is made with torch.tensor([-1.0, 1.0]) (float32 by default) while the data
are float64: x_N2 @ a raises torch's `addmv input tensors must have the same dtype`."""
# exercise: torch_gd
import torch
from torch import nn


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    a = nn.Parameter(torch.tensor([-1.0, 1.0]))
    losses = []
    for _ in range(n_iters):
        loss = ((x_N2 @ a - y_N) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()
    return a.detach(), losses
