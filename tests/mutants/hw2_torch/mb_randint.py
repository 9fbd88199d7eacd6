"""The course notes' sampler: indices from randint(1, N), which never picks example 0
and draws with replacement, so an epoch is not a pass over the data."""
# exercise: minibatch_sgd
import torch


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    n = y_N.shape[0]
    a = a0_2.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(n_epochs):
        for _ in range(-(-n // batch_size)):
            idx = torch.randint(1, n, (batch_size,), generator=generator)
            loss = ((x_N2[idx] @ a - y_N[idx]) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                a.grad.zero_()
    return a.detach(), losses
