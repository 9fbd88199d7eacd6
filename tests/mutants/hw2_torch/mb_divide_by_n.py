"""Divides each minibatch's sum of squared errors by N (all examples) instead of by the
batch size: every step is batch_size / N times too small."""
# exercise: minibatch_sgd
import torch


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    n = y_N.shape[0]
    a = a0_2.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(n_epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss = ((x_N2[idx] @ a - y_N[idx]) ** 2).sum() / n
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                a.grad.zero_()
    return a.detach(), losses
