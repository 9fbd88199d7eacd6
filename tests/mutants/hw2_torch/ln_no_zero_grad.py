"""fit_logistic never zeroes a.grad and b.grad."""
# exercise: logistic_nll
import torch


def fit_logistic(x_N, y_N, lr, n_iters):
    a = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    for _ in range(n_iters):
        nll(torch.sigmoid(a * x_N + b), y_N).backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
    return a.item(), b.item()
