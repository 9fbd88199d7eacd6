"""Draws ONE permutation with the generator and hands it to the DataLoader as its sampler:
every epoch then replays the same order instead of reshuffling (shuffle=True would)."""
# exercise: polynomial_l1
import numpy as np
import torch
from torch.utils.data import DataLoader


def stochastic_gradient_descent(model, loss_fn, dataset, lr=1.0, nepochs=100, batch_size=10,
                                generator=None):
    order = torch.randperm(len(dataset), generator=generator).tolist()
    loader = DataLoader(dataset, batch_size=batch_size, sampler=order)
    history = [torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()]
    for epoch in range(nepochs):
        step = lr / (epoch + 1)
        for x_B, y_B in loader:
            loss = loss_fn(model(x_B), y_B)
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= step * param.grad
            model.zero_grad()
            history.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()])
                           .numpy().copy())
    return np.array(history, dtype=np.float64)
