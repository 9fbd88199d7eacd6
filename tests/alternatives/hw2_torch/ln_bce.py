"""nll through F.binary_cross_entropy on the clamped probabilities; fit with torch.optim.SGD
and a hand-written sigmoid."""
# exercise: logistic_nll
import torch
import torch.nn.functional as F


def nll(y_hat, y):
    return F.binary_cross_entropy(y_hat.clamp(1e-5, 1 - 1e-5), y)


def fit_logistic(x_N, y_N, lr, n_iters):
    ab = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([ab], lr=lr)
    for _ in range(n_iters):
        opt.zero_grad()
        y_hat = 1 / (1 + torch.exp(-(ab[0] * x_N + ab[1])))
        nll(y_hat, y_N).backward()
        opt.step()
    return float(ab[0]), float(ab[1])
