"""A DataLoader over a TensorDataset (shuffle=True, generator) and torch.optim.SGD."""
# exercise: minibatch_sgd
import torch
from torch.utils.data import DataLoader, TensorDataset


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    a = torch.nn.Parameter(a0_2.detach().clone())
    opt = torch.optim.SGD([a], lr=lr)
    loader = DataLoader(TensorDataset(x_N2, y_N), batch_size=batch_size, shuffle=True,
                        generator=generator)
    losses = []
    for _ in range(n_epochs):
        for x_B, y_B in loader:
            opt.zero_grad()
            loss = ((x_B @ a - y_B) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return a.detach(), losses
