"""fit_linear_torch records n_iters exact losses but makes one update more than n_iters (a
final step after the loop): the losses are right, the returned a is one update ahead."""
# exercise: torch_gd
import torch
from torch import nn


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    a = nn.Parameter(torch.tensor([-1.0, 1.0], dtype=torch.float64))
    losses = []
    for t in range(n_iters + 1):
        loss = ((x_N2 @ a - y_N) ** 2).mean()
        if t < n_iters:
            losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()
    return a.detach(), losses
