"""Exercise logistic_nll: logistic regression trained on the negative log likelihood.

For labels y_n in {0, 1} and predicted probabilities yhat_n in (0, 1), the
Bernoulli log likelihood, averaged over examples, is

    (1/N) sum_n [ y_n log(yhat_n) + (1 - y_n) log(1 - yhat_n) ].

It is at most 0 and we want it LARGE, so the loss to MINIMISE is its
negative: the negative log likelihood (NLL). log(0) is -inf, so clip the
probabilities to [1e-5, 1 - 1e-5] first (`torch.clamp`).

The model is yhat_n = sigmoid(a x_n + b) = 1 / (1 + exp(-(a x_n + b))).

dtype policy: the grader passes float64 tensors; `nll` returns a 0-d tensor
of the same dtype as y_hat (so it works for float32 too), and fit_logistic
works in float64.

{{ full_marks }}
"""
import torch


def nll(y_hat, y):
    """Negative mean Bernoulli log likelihood, with y_hat clamped to [1e-5, 1 - 1e-5].

    Args
    ----
    y_hat : torch.Tensor, shape (N,), float; predicted probabilities
        (values outside [1e-5, 1 - 1e-5], even exactly 0 or 1, are allowed)
    y : torch.Tensor, shape (N,), same dtype; labels, 0.0 or 1.0

    Returns
    -------
    loss : 0-d torch.Tensor, dtype of y_hat, differentiable with respect
        to y_hat (do not leave torch: no .item(), no numpy inside)
    """
    ### BEGIN SOLUTION
    y_hat = torch.clamp(y_hat, 1e-5, 1 - 1e-5)
    return -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()
    ### END SOLUTION


def fit_logistic(x_N, y_N, lr, n_iters):
    """Fit a and b of yhat = sigmoid(a x + b) by gradient descent on `nll`.

    Start from a = 0.0, b = 0.0 (float64) and make exactly n_iters
    full-batch updates with gradients from autograd, zeroing them after
    each update (however long the run: no early stop, no shortcut).

    Args
    ----
    x_N : torch.Tensor, shape (N,), dtype float64; one feature
    y_N : torch.Tensor, shape (N,), dtype float64; labels 0.0 or 1.0
    lr : float; the step size
    n_iters : int; the number of updates

    Returns
    -------
    a, b : float; the point after n_iters updates
    """
    ### BEGIN SOLUTION
    a = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    for _ in range(n_iters):
        loss = nll(torch.sigmoid(a * x_N + b), y_N)
        loss.backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            a.grad.zero_()
            b.grad.zero_()
    return a.item(), b.item()
    ### END SOLUTION
