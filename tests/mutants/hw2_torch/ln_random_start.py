"""Starts a and b at random draws (torch.randn, as the course notes' V(np.random.randn(1)))
instead of at 0."""
# exercise: logistic_nll
import torch


def fit_logistic(x_N, y_N, lr, n_iters):
    a = torch.randn((), dtype=torch.float64, requires_grad=True)
    b = torch.randn((), dtype=torch.float64, requires_grad=True)
    for _ in range(n_iters):
        nll(torch.sigmoid(a * x_N + b), y_N).backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            a.grad.zero_()
            b.grad.zero_()
    return a.item(), b.item()
