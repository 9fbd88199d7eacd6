"""adam_fit uses torch.optim.SGD instead of Adam."""
# exercise: polynomial_l1
import numpy as np
import torch
from torch.utils.data import DataLoader


def adam_fit(model, loss_fn, dataset, lr=0.1, nepochs=100, batch_size=10, generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = [torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()]
    for _ in range(nepochs):
        for x_B, y_B in loader:
            opt.zero_grad()
            loss_fn(model(x_B), y_B).backward()
            opt.step()
            history.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()])
                           .numpy().copy())
    return np.array(history)
