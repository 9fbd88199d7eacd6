"""Horner's rule in forward; the SGD update through p.data and p.grad = None."""
# exercise: polynomial_l1
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader


class PolynomialModel(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(p + 1, dtype=torch.float64))

    def forward(self, x_N):
        out = torch.zeros_like(x_N)
        for i in range(len(self.w) - 1, -1, -1):
            out = out * x_N + self.w[i]
        return out


def stochastic_gradient_descent(model, loss_fn, dataset, lr=1.0, nepochs=100, batch_size=10,
                                generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    history = [np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])]
    for epoch in range(nepochs):
        for x_B, y_B in loader:
            loss_fn(model(x_B), y_B).backward()
            for p in model.parameters():
                p.data -= lr / (epoch + 1) * p.grad
                p.grad = None
            history.append(np.concatenate([p.detach().numpy().ravel() for p in model.parameters()]))
    return np.array(history)
