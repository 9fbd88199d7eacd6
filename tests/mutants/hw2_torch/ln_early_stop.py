"""fit_logistic stops as soon as the loss improves by less than 1e-6 in one step: the
docstring asks for exactly n_iters updates. The first few hundred steps are exact GD, so
only a long run shows it."""
# exercise: logistic_nll
import torch


def fit_logistic(x_N, y_N, lr, n_iters):
    a = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    previous = float("inf")
    for _ in range(n_iters):
        loss = nll(torch.sigmoid(a * x_N + b), y_N)
        if previous - loss.item() < 1e-6:
            break
        previous = loss.item()
        loss.backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            a.grad.zero_()
            b.grad.zero_()
    return a.item(), b.item()
