"""The lecture's loop order (backward, step, then model.zero_grad()), the lecture's forward
(torch.stack of w_i x^i, summed), p.grad.zero_() in SGD, and the mean loss of each epoch
printed as progress."""
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
        return torch.sum(torch.stack([self.w[i] * x_N ** i for i in range(len(self.w))]), dim=0)


def _row(model):
    return np.concatenate([p.detach().numpy().ravel().copy() for p in model.parameters()])


def stochastic_gradient_descent(model, loss_fn, dataset, lr=1.0, nepochs=100, batch_size=10,
                                generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    values = [_row(model)]
    for i in range(nepochs):
        epoch_losses = []
        for x, y in loader:
            loss = loss_fn(model(x), y)
            epoch_losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr / (i + 1) * p.grad
                    p.grad.zero_()
            values.append(_row(model))
        print(f"SGD epoch {i}: mean batch loss {np.mean(epoch_losses):.4f}")
    return np.array(values)


def adam_fit(model, loss_fn, dataset, lr=0.1, nepochs=100, batch_size=10, generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    values = [_row(model)]
    for i in range(nepochs):
        epoch_losses = []
        for x, y in loader:
            loss = loss_fn(model(x), y)
            epoch_losses.append(loss.item())
            loss.backward()
            opt.step()
            model.zero_grad()
            values.append(_row(model))
        print(f"Adam epoch {i}: mean batch loss {np.mean(epoch_losses):.4f}")
    return np.array(values)
