"""Never calls model.zero_grad(): the gradient keeps growing across updates."""
# exercise: polynomial_l1
import numpy as np
import torch
from torch.utils.data import DataLoader


def stochastic_gradient_descent(model, loss_fn, dataset, lr=1.0, nepochs=100, batch_size=10,
                                generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    history = [torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()]
    for epoch in range(nepochs):
        for x_B, y_B in loader:
            loss = loss_fn(model(x_B), y_B)
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= lr / (epoch + 1) * param.grad
            history.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()])
                           .numpy().copy())
    return np.array(history)
