"""nn.Parameter on a copy of a0_2, torch.optim.SGD for the update and the zeroing,
F.mse_loss on batches cut from torch.randperm."""
# exercise: minibatch_sgd
import torch
import torch.nn.functional as F
from torch import nn


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    a = nn.Parameter(a0_2.detach().clone())
    opt = torch.optim.SGD([a], lr=lr)
    n = len(y_N)
    losses = []
    for _ in range(n_epochs):
        perm = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            opt.zero_grad()
            loss = F.mse_loss(x_N2[idx] @ a, y_N[idx])
            losses.append(float(loss))
            loss.backward()
            opt.step()
    return a.detach().clone(), losses
