"""Exercise torch_gd: full-batch gradient descent in PyTorch, y = x @ a.

Each row of x_N2 is one example (a feature and, usually, a constant 1 so
that a_2[1] acts as the intercept). The loss is the mean squared error

    L(a) = (1/N) sum_n (x_n @ a - y_n)^2.

Let autograd compute the gradient: make `a` an `nn.Parameter`, call
`loss.backward()`, update under `torch.no_grad()`, and zero `a.grad`
after every update (backward ADDS into `.grad`; it never resets it).

dtype policy: the grader passes float64 tensors and expects float64 back.
Create `a` as float64 too: `torch.tensor([...])` gives float32 by default,
and float32 arithmetic is not precise enough for the grader's comparison
with the exact iterates.

{{ full_marks }}
"""
import torch
from torch import nn


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    """Minimise the mean squared error of y = x @ a by gradient descent.

    Start from a = (-1.0, 1.0) and make n_iters updates a <- a - lr * grad.

    Args
    ----
    x_N2 : torch.Tensor, shape (N, 2), dtype float64; two features per
        example (the second is often, not always, all ones). It is NOT
        modified.
    y_N : torch.Tensor, shape (N,), dtype float64. It is NOT modified.
    lr : float; the step size
    n_iters : int; the number of updates

    Returns
    -------
    a_2 : torch.Tensor, shape (2,), dtype float64, detached; the point
        after n_iters updates
    losses : list of n_iters floats; losses[t] is the loss at the t-th
        point, computed before the t-th update (so losses[0] is the loss
        at the start)
    """
    ### BEGIN SOLUTION
    a = nn.Parameter(torch.tensor([-1.0, 1.0], dtype=torch.float64))
    losses = []
    for _ in range(n_iters):
        loss = ((x_N2 @ a - y_N) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()
    return a.detach(), losses
    ### END SOLUTION
