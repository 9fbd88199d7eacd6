"""torch.optim.SGD (no momentum) does the update and the zeroing."""
# exercise: torch_gd
import torch
from torch import nn


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    a = nn.Parameter(torch.tensor([-1.0, 1.0], dtype=torch.float64))
    opt = torch.optim.SGD([a], lr=lr)
    losses = []
    for _ in range(n_iters):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(x_N2 @ a, y_N)
        losses.append(float(loss))
        loss.backward()
        opt.step()
    return a.detach().clone(), losses
