"""adam_fit ignores loss_fn and steps Adam on F.mse_loss (the squared error) instead of the
L1 loss it is given."""
# exercise: polynomial_l1
import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader


def adam_fit(model, loss_fn, dataset, lr=0.1, nepochs=100, batch_size=10, generator=None):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = [torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()]
    for _ in range(nepochs):
        for x_B, y_B in loader:
            opt.zero_grad()
            F.mse_loss(model(x_B), y_B).backward()
            opt.step()
            history.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()])
                           .numpy().copy())
    return np.array(history, dtype=np.float64)
