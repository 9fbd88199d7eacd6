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

{{ full_marks }}
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
        ### BEGIN SOLUTION
        self.p = p
        self.w = nn.Parameter(torch.zeros(p + 1, dtype=torch.float64))
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        powers_NP = x_N.unsqueeze(-1) ** torch.arange(self.w.shape[0], dtype=x_N.dtype)
        return powers_NP @ self.w
        ### END SOLUTION


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
    ### BEGIN SOLUTION
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    history = [torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()]
    for epoch in range(nepochs):
        step = lr / (epoch + 1)
        for x_B, y_B in loader:
            loss = loss_fn(model(x_B), y_B)
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= step * param.grad
            model.zero_grad()
            history.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()])
                           .numpy().copy())
    return np.array(history, dtype=np.float64)
    ### END SOLUTION


def adam_fit(model, loss_fn, dataset, lr=0.1, nepochs=100, batch_size=10, generator=None):
    """Minibatch training with torch.optim.Adam (default betas and eps).

    Args and Returns as for `stochastic_gradient_descent`, except that the
    step size lr stays constant (Adam adapts the steps itself).
    """
    ### BEGIN SOLUTION
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = [torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()]
    for _ in range(nepochs):
        for x_B, y_B in loader:
            opt.zero_grad()
            loss = loss_fn(model(x_B), y_B)
            loss.backward()
            opt.step()
            history.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()])
                           .numpy().copy())
    return np.array(history, dtype=np.float64)
    ### END SOLUTION
