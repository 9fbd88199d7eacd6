"""fit_linear_torch builds its own design matrix [x_N2[:, 0], 1] ("the second column is the
constant"), leaving the caller's tensor alone: right only where x_N2[:, 1] is all ones, which
the docstring says is only USUALLY so."""
# exercise: torch_gd
import torch
from torch import nn


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    x = torch.stack([x_N2[:, 0], torch.ones_like(x_N2[:, 0])], dim=1)
    a = nn.Parameter(torch.tensor([-1.0, 1.0], dtype=torch.float64))
    losses = []
    for _ in range(n_iters):
        loss = ((x @ a - y_N) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()
    return a.detach(), losses
