"""A hw2_torch submission as a single .py file (generated example)."""
import torch
import numpy as np
from torch import nn
from torch.utils.data import DataLoader


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
    y_hat = torch.clamp(y_hat, 1e-5, 1 - 1e-5)
    return -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()


def fit_logistic(x_N, y_N, lr, n_iters):
    """Fit a and b of yhat = sigmoid(a x + b) by gradient descent on `nll`.

    Start from a = 0.0, b = 0.0 (float64) and make n_iters full-batch
    updates with gradients from autograd, zeroing them after each update.

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


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    """Run minibatch SGD on the mean squared error of y = x @ a.

    Args
    ----
    x_N2 : torch.Tensor, shape (N, 2), dtype float64
    y_N : torch.Tensor, shape (N,), dtype float64
    a0_2 : torch.Tensor, shape (2,), dtype float64; the start point. It is
        NOT modified.
    lr : float; the step size
    batch_size : int; examples per update (the last batch of an epoch may
        be smaller)
    n_epochs : int; passes over the data
    generator : torch.Generator; the only source of randomness

    Returns
    -------
    a_2 : torch.Tensor, shape (2,), dtype float64, detached; the last point
    losses : list of floats, one per update (n_epochs * ceil(N / batch_size)
        in all); each is the minibatch loss computed before its update
    """
    n = y_N.shape[0]
    a = a0_2.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(n_epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss = ((x_N2[idx] @ a - y_N[idx]) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                a.grad.zero_()
    return a.detach(), losses


def lin(a, b, x):
    """The line a * x + b, elementwise.

    Args
    ----
    a : float; the slope
    b : float; the intercept
    x : 1D array, shape (N,), float64

    Returns
    -------
    yhat_N : 1D array, shape (N,), float64
    """
    return a * np.asarray(x, dtype=np.float64) + b


def mse_loss(a, b, x, y):
    """Mean squared error of the line (a, b) on the data (x, y).

    Args
    ----
    a, b : float
    x : 1D array, shape (N,), float64
    y : 1D array, shape (N,), float64

    Returns
    -------
    loss : float; (1/N) sum_n (a x_n + b - y_n)^2
    """
    resid_N = lin(a, b, x) - np.asarray(y, dtype=np.float64)
    return float(np.mean(resid_N ** 2))


def mse_loss_grad(a, b, x, y):
    """Gradient of `mse_loss` with respect to a and b, derived by hand.

    Args
    ----
    a, b : float
    x : 1D array, shape (N,), float64
    y : 1D array, shape (N,), float64

    Returns
    -------
    dL_da : float; (2/N) sum_n (a x_n + b - y_n) x_n
    dL_db : float; (2/N) sum_n (a x_n + b - y_n)
    """
    resid_N = lin(a, b, x) - np.asarray(y, dtype=np.float64)
    dL_db = 2.0 * np.mean(resid_N)
    dL_da = 2.0 * np.mean(resid_N * x)
    return float(dL_da), float(dL_db)


def fit_line_numpy(x, y, lr=0.1, n_steps=1000):
    """Fit a and b by plain gradient descent on `mse_loss`.

    Start from a = 0.0, b = 0.0 and make exactly n_steps updates

        a <- a - lr * dL/da,   b <- b - lr * dL/db

    using both partial derivatives at the same (old) point.

    Args
    ----
    x : 1D array, shape (N,), float64
    y : 1D array, shape (N,), float64
    lr : float; the step size (learning rate)
    n_steps : int; the number of updates (0 returns the start point)

    Returns
    -------
    a, b : float; the point after n_steps updates
    """
    a, b = 0.0, 0.0
    for _ in range(n_steps):
        dL_da, dL_db = mse_loss_grad(a, b, x, y)
        a, b = a - lr * dL_da, b - lr * dL_db
    return a, b


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
        self.p = p
        self.w = nn.Parameter(torch.zeros(p + 1, dtype=torch.float64))

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
        powers_NP = x_N.unsqueeze(-1) ** torch.arange(self.w.shape[0], dtype=x_N.dtype)
        return powers_NP @ self.w


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


def adam_fit(model, loss_fn, dataset, lr=0.1, nepochs=100, batch_size=10, generator=None):
    """Minibatch training with torch.optim.Adam (default betas and eps).

    Args and Returns as for `stochastic_gradient_descent`, except that the
    step size lr stays constant (Adam adapts the steps itself).
    """
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


def fit_linear_torch(x_N2, y_N, lr=0.1, n_iters=100):
    """Minimise the mean squared error of y = x @ a by gradient descent.

    Start from a = (-1.0, 1.0) and make n_iters updates a <- a - lr * grad.

    Args
    ----
    x_N2 : torch.Tensor, shape (N, 2), dtype float64
    y_N : torch.Tensor, shape (N,), dtype float64
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
