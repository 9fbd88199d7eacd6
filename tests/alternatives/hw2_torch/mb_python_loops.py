"""Plain Python loops, no autograd: the minibatch loss and its gradient accumulated example
by example, the start point copied entry by entry."""
# exercise: minibatch_sgd
import torch


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    a = [float(a0_2[0]), float(a0_2[1])]
    n = len(y_N)
    rows = [(float(x_N2[i, 0]), float(x_N2[i, 1]), float(y_N[i])) for i in range(n)]
    losses = []
    for _ in range(n_epochs):
        order = torch.randperm(n, generator=generator).tolist()
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            loss, g0, g1 = 0.0, 0.0, 0.0
            for i in batch:
                x0, x1, y = rows[i]
                r = x0 * a[0] + x1 * a[1] - y
                loss += r * r
                g0 += 2.0 * r * x0
                g1 += 2.0 * r * x1
            m = len(batch)
            losses.append(loss / m)
            a = [a[0] - lr * g0 / m, a[1] - lr * g1 / m]
    return torch.tensor(a, dtype=torch.float64), losses
