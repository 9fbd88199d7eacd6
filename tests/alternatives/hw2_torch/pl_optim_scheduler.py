"""Vectorised-by-stack forward; SGD through torch.optim.SGD with a LambdaLR schedule
stepped per epoch; Adam with zero_grad(set_to_none=False) and foreach=False."""
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
        return torch.stack([x_N ** i for i in range(len(self.w))], dim=-1) @ self.w


def _snapshot(model):
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def stochastic_gradient_descent(model, loss_fn, dataset, lr=1.0, nepochs=100, batch_size=10,
                                generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1.0 / (epoch + 1))
    rows = [_snapshot(model)]
    for _ in range(nepochs):
        for x_B, y_B in loader:
            opt.zero_grad()
            loss_fn(model(x_B), y_B).backward()
            opt.step()
            rows.append(_snapshot(model))
        sched.step()
    return np.stack(rows)


def adam_fit(model, loss_fn, dataset, lr=0.1, nepochs=100, batch_size=10, generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    opt = torch.optim.Adam(model.parameters(), lr=lr, foreach=False)
    rows = [_snapshot(model)]
    for _ in range(nepochs):
        for x_B, y_B in loader:
            opt.zero_grad(set_to_none=False)
            loss_fn(model(x_B), y_B).backward()
            opt.step()
            rows.append(_snapshot(model))
    return np.stack(rows)
