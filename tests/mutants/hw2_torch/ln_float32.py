"""fit_logistic works in float32, like the course notes' data (astype(np.float32)): a, b
and the data are cast with .float(), although the docstring asks for float64."""
# exercise: logistic_nll
import torch


def fit_logistic(x_N, y_N, lr, n_iters):
    x, y = x_N.float(), y_N.float()
    a = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(n_iters):
        nll(torch.sigmoid(a * x + b), y).backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            a.grad.zero_()
            b.grad.zero_()
    return a.item(), b.item()
