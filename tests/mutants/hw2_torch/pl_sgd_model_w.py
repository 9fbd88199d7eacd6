"""stochastic_gradient_descent updates `model.w` by name, as if every model were
PolynomialModel: the docstring's model is any nn.Module (e.g. PolynomialModel), and a module
whose parameters have other names has no `.w`."""
# exercise: polynomial_l1
import numpy as np
import torch
from torch.utils.data import DataLoader


def stochastic_gradient_descent(model, loss_fn, dataset, lr=1.0, nepochs=100, batch_size=10,
                                generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    history = [model.w.detach().numpy().copy()]
    for epoch in range(nepochs):
        step = lr / (epoch + 1)
        for x_B, y_B in loader:
            loss = loss_fn(model(x_B), y_B)
            loss.backward()
            with torch.no_grad():
                model.w -= step * model.w.grad
            model.w.grad.zero_()
            history.append(model.w.detach().numpy().copy())
    return np.array(history, dtype=np.float64)
