"""Works in float32 (torch's default dtype): a and the data are cast with .float()."""
# exercise: torch_gd
import torch
from torch import nn


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    x, y = x_N2.float(), y_N.float()
    a = nn.Parameter(torch.tensor([-1.0, 1.0]))
    losses = []
    for _ in range(n_iters):
        loss = ((x @ a - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()
    return a.detach(), losses
