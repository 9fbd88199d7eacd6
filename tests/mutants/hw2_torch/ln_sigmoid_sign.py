"""Uses 1 / (1 + exp(+(a x + b))): the probability of the other class."""
# exercise: logistic_nll
import torch


def fit_logistic(x_N, y_N, lr, n_iters):
    a = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    for _ in range(n_iters):
        nll(1 / (1 + torch.exp(a * x_N + b)), y_N).backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            a.grad.zero_()
            b.grad.zero_()
    return a.item(), b.item()
