# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
"""Exercise polynomial_l1: a polynomial nn.Module fit under the L1 loss.

The model of degree p has p + 1 weights w_0, ..., w_p and predicts

    yhat(x) = sum_{i=0}^{p} w_i x^i.

The L1 loss, mean_n |yhat(x_n) - y_n| (`torch.nn.functional.l1_loss`),
is far less pulled by an outlier than the squared error.

Two optimisers, both over minibatches drawn by a `DataLoader` with
shuffle=True (pass it `generator` so a seeded generator fixes the order):
- plain SGD with a decaying step: every update of epoch e (counted from 0)
  uses the step size lr / (e + 1), made under `torch.no_grad()`, and the
  gradients are zeroed (`model.zero_grad()`) after each update;
- Adam (`torch.optim.Adam` with its default betas and eps), constant lr.

Both return the parameter history: row 0 holds the parameters before any
update, row k those after the k-th update, each row flattened in the order
of `model.parameters()` (for PolynomialModel: w_0, ..., w_p).

dtype policy: parameters and data are float64; the history is a float64
numpy array.

Full marks need (from course.yml):
- model (2 points): PolynomialModel(p) is an nn.Module whose only parameter holds p + 1
  float64 zeros; forward gives sum_i w_i x^i with shape (N,), and gradients flow to w
  (relative error at most 1e-10).
- sgd_iterates (2 points): stochastic_gradient_descent: one update per DataLoader batch
  with step lr / (epoch + 1); the history equals the grader's replay in float64
  (relative error at most 1e-09).
- adam_iterates (2 points): adam_fit: torch.optim.Adam with default betas/eps over
  DataLoader batches; the history equals the grader's float64 replay of Adam (relative
  error at most 1e-08).
- fit (2 points): trained from PolynomialModel(2) under the L1 loss, each optimiser
  reaches an L1 loss at most 1.05 times the best possible on the lecture's data (50% of
  the points if only one does).
- time limit: 60 s per check.
- hidden checks (4 points) hold the same standards on inputs you have not seen (other
  sizes, seeds and data).
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader


class PolynomialModel(nn.Module):
    """yhat(x) = sum_i w_i x^i for i = 0..p.

    Args
    ----
    p : int; the degree (p >= 0)

    Attributes
    ----------
    w : nn.Parameter, shape (p + 1,), dtype float64, initialised to zeros;
        w[i] multiplies x^i. It is the model's only parameter.
    """

    def __init__(self, p):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x_N):
        """Evaluate the polynomial at each input.

        Args
        ----
        x_N : torch.Tensor, shape (N,), dtype float64

        Returns
        -------
        yhat_N : torch.Tensor, shape (N,), dtype float64 (not (N, 1): a
            column against targets of shape (N,) would broadcast to (N, N)
            inside the loss)
        """
        # YOUR CODE HERE
        raise NotImplementedError()


def stochastic_gradient_descent(model, loss_fn, dataset, lr=1.0, nepochs=100, batch_size=10,
                                generator=None):
    """Minibatch SGD with the step size lr / (epoch + 1).

    Args
    ----
    model : nn.Module, e.g. PolynomialModel; updated in place
    loss_fn : callable(yhat_B, y_B) -> 0-d tensor, e.g. F.l1_loss
    dataset : a torch Dataset of (x, y) pairs, e.g. TensorDataset(x_N, y_N)
    lr : float; the step size of epoch 0
    nepochs : int; passes over the data
    batch_size : int; examples per update (the last batch may be smaller)
    generator : torch.Generator or None; passed to the DataLoader

    Returns
    -------
    history : numpy array, float64, shape (1 + n_updates, n_params), where
        n_updates = nepochs * ceil(N / batch_size)
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def adam_fit(model, loss_fn, dataset, lr=0.1, nepochs=100, batch_size=10, generator=None):
    """Minibatch training with torch.optim.Adam (default betas and eps).

    Args and Returns as for `stochastic_gradient_descent`, except that the
    step size lr stays constant (Adam adapts the steps itself).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
