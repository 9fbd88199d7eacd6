"""Trains in float32 (x.float(), torch.zeros default dtype) and converts the result back
with .double() at the end: the dtype passes, the precision does not."""
# exercise: minibatch_sgd
import torch


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    n = y_N.shape[0]
    x, y = x_N2.float(), y_N.float()
    a = a0_2.float().clone().requires_grad_(True)
    losses = []
    for _ in range(n_epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss = ((x[idx] @ a - y[idx]) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                a.grad.zero_()
    return a.detach().double(), losses
