"""The loss as a Python loop over examples (one autograd node per example, then a sum),
the gradient from backward through all of them, a plain tensor with requires_grad."""
# exercise: torch_gd
import torch


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    a = torch.tensor([-1.0, 1.0], dtype=torch.float64, requires_grad=True)
    n = x_N2.shape[0]
    losses = []
    for _ in range(n_iters):
        total = torch.zeros((), dtype=torch.float64)
        for i in range(n):
            r = x_N2[i, 0] * a[0] + x_N2[i, 1] * a[1] - y_N[i]
            total = total + r * r
        loss = total / n
        losses.append(float(loss))
        loss.backward()
        with torch.no_grad():
            a -= lr * a.grad
        a.grad.zero_()
    return a.detach(), losses
