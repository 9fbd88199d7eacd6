"""torch.split of a shuffled copy of the data; the gradient written out by hand."""
# exercise: minibatch_sgd
import torch


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    a = a0_2.detach().clone()
    losses = []
    for _ in range(n_epochs):
        perm = torch.randperm(len(y_N), generator=generator)
        for xb, yb in zip(torch.split(x_N2[perm], batch_size), torch.split(y_N[perm], batch_size)):
            r = xb @ a - yb
            losses.append(float((r ** 2).mean()))
            a = a - lr * 2.0 * xb.T @ r / len(yb)
    return a, losses
