# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
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

Full marks need (from course.yml):
- nll_values (2 points): nll equals -mean(y log p + (1-y) log(1-p)) with p =
  clamp(y_hat, 1e-5, 1-1e-5), also at y_hat = 0 and 1; the result keeps y_hat's dtype
  (float64 or float32) (relative error at most 1e-10).
- nll_gradient (1 point): Autograd through nll gives d nll / d y_hat = -(y/p -
  (1-y)/(1-p)) / N inside the clamp range and 0 outside it (relative error at most
  1e-10).
- fit_iterates (2 points): fit_logistic makes exact float64 GD steps on nll(sigmoid(a x
  + b), y) from (0, 0): n_iters of them, short runs and a long one (no early stop, no
  shortcut) (relative error at most 1e-09).
- fit (2 points): fit_logistic(x_N, y_N, lr=5, n_iters=1000) on the course's data
  reaches an NLL at most 0.01 above the maximum-likelihood fit's and an accuracy at most
  0.01 below it (half the points if one of the two is missed).
- time limit: 30 s per check.
- hidden checks (4 points) hold the same standards on inputs you have not seen (other
  sizes, seeds and data).
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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()
