"""The blog post's style: an update() closure over a nn.Parameter that prints the loss
every 10 iterations, with .sub_ and .grad.zero_() under torch.no_grad()."""
# exercise: torch_gd
import torch
from torch import nn


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    a = nn.Parameter(torch.tensor([-1.0, 1.0], dtype=torch.float64))
    losses = []

    def update(i):
        y_hat = x_N2 @ a
        loss = ((y_hat - y_N) ** 2).mean()
        if i % 10 == 0:
            print(f"iteration {i}: loss {loss.item():.6f}")
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()

    for i in range(n_iters):
        update(i)
    return a.detach(), losses
