"""Shuffles the data itself each epoch (x_N2[:] = x_N2[order], y_N[:] = y_N[order]) and
takes consecutive slices: the caller's x_N2 and y_N come back scrambled."""
# exercise: minibatch_sgd
import torch


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    n = y_N.shape[0]
    a = a0_2.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(n_epochs):
        order = torch.randperm(n, generator=generator)
        x_N2[:] = x_N2[order]
        y_N[:] = y_N[order]
        for start in range(0, n, batch_size):
            x_B, y_B = x_N2[start:start + batch_size], y_N[start:start + batch_size]
            loss = ((x_B @ a - y_B) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                a.grad.zero_()
    return a.detach(), losses
