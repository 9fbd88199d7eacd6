"""Returns the working tensor itself, still requiring grad, instead of a detached a_2 (the
docstring says "detached"; torch_gd's twin of this slip is tg_not_detached)."""
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
            loss = ((x_N2[idx] @ a - y_N[idx]) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                a.grad.zero_()
    return a, losses
