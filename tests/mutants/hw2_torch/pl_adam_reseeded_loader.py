"""adam_fit rebuilds the DataLoader every epoch with a generator re-seeded from
generator.initial_seed() "for reproducibility": every epoch visits the same order."""
# exercise: polynomial_l1
import numpy as np
import torch
from torch.utils.data import DataLoader


def adam_fit(model, loss_fn, dataset, lr=0.1, nepochs=100, batch_size=10, generator=None):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = [torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()]
    for _ in range(nepochs):
        epoch_gen = torch.Generator().manual_seed(generator.initial_seed())
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=epoch_gen)
        for x_B, y_B in loader:
            opt.zero_grad()
            loss_fn(model(x_B), y_B).backward()
            opt.step()
            history.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()])
                           .numpy().copy())
    return np.array(history, dtype=np.float64)
