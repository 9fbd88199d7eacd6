# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # HW2: gradients by hand, gradient descent and SGD in PyTorch
#
# In HW1 autograd computed every derivative for us. Here we first do it **by hand** once (so
# that we know what the machine does), then hand the job to **PyTorch**: full-batch gradient
# descent, minibatch **SGD**, a polynomial model fit under the **L1 loss** with SGD and Adam,
# and **logistic regression** on the negative log likelihood.
#
# As before: replace each `raise NotImplementedError()`, run the `check("...")` cell after each
# exercise, and keep names and signatures. Hidden checks use other data, seeds and step sizes.
# Cells tagged `demo` (plots, worked examples) are for you to look at: the grader runs only
# their `def`, `class` and `import` statements (so a helper defined there counts, as it does
# for `check(...)`), never their other code. Put what your functions need in exercise cells.
# The grader runs your saved notebook from the top in a fresh process: a cell that raises an
# error is skipped there and grading goes on with the next cell (Jupyter's Run All stops at
# it instead); the report names the cell.

# %%
import numpy as np
import matplotlib.pyplot as plt

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.notebook import check, check_all

# %% [markdown]
# ## Part 1: a line, with gradients derived on paper
#
# Model $\hat y_n = a x_n + b$, loss the mean squared error
#
# $$ L(a, b) = \frac{1}{N} \sum_{n=1}^N (a x_n + b - y_n)^2 . $$
#
# The chain rule gives
# $\partial L / \partial a = \frac{2}{N} \sum_n (a x_n + b - y_n)\, x_n$ and
# $\partial L / \partial b = \frac{2}{N} \sum_n (a x_n + b - y_n)$.
# Our toy data: 100 points on the line $y = 3x + 2$ plus a little noise.

# %% tags=["demo"]
line_prng = np.random.RandomState(0)
x_line_N = line_prng.uniform(0.0, 1.0, size=100)
y_line_N = 3.0 * x_line_N + 2.0 + 0.1 * line_prng.randn(100)
plt.figure(figsize=(4, 3))
plt.plot(x_line_N, y_line_N, "k.")
plt.xlabel("x")
plt.ylabel("y")
plt.show()

# %% [markdown]
# ### Exercise 1: numpy only
#
# Write the model, the loss, its gradient (your formulas, in numpy: the grader reads the source
# and rejects autograd and torch here) and a GD loop.

# %%
# include: numpy_gradients.py

# %% [markdown]
# The loss is a bowl over $(a, b)$. Where does GD go? Each dot below is the result of your
# `fit_line_numpy` after a few more steps.

# %% tags=["demo"]
a_G, b_G = np.meshgrid(np.linspace(-1.0, 6.0, 60), np.linspace(-1.0, 5.0, 60))
loss_GG = np.vectorize(lambda a, b: mse_loss(a, b, x_line_N, y_line_N))(a_G, b_G)
path = np.asarray([fit_line_numpy(x_line_N, y_line_N, lr=0.1, n_steps=n) for n in range(0, 400, 10)])
plt.figure(figsize=(5, 4))
plt.contour(a_G, b_G, loss_GG, levels=np.logspace(-2, 1.5, 15), cmap="viridis")
plt.plot(path[:, 0], path[:, 1], "r.-", label="GD, every 10 steps")
plt.plot([3.0], [2.0], "k*", markersize=12, label="true (a, b)")
plt.xlabel("a")
plt.ylabel("b")
plt.legend()
plt.show()

# %%
check("numpy_gradients")

# %% [markdown]
# ## Part 2: the same in PyTorch
#
# Stack a column of ones next to $x$ and the line becomes $\hat y = x a$ with
# $a \in \mathbb{R}^2$. PyTorch's autograd then does the calculus: make `a` a parameter, call
# `loss.backward()`, update **under `torch.no_grad()`** (the update itself is not part of the
# model), and **zero `a.grad`** after each update, because `backward` adds into `.grad`.

# %%
# include: torch_gd.py

# %% tags=["demo"]
x_N2 = torch.stack([torch.from_numpy(x_line_N), torch.ones(100, dtype=torch.float64)], dim=1)
y_N = torch.from_numpy(y_line_N)
a_2, gd_losses = fit_linear_torch(x_N2, y_N, lr=0.5, n_iters=200)
print("full-batch GD:", a_2.numpy(), " (true: [3, 2])")
plt.figure(figsize=(5, 3))
plt.semilogy(gd_losses, "k-")
plt.xlabel("iteration")
plt.ylabel("mean squared error")
plt.show()

# %%
check("torch_gd")

# %% [markdown]
# ## Part 3: minibatch SGD
#
# Each update uses a **minibatch**: shuffle the indices once per epoch, cut them into batches,
# and step on each batch's loss. One epoch visits every example exactly once. Each step is
# cheap and noisy; the noise averages out over many steps.

# %%
# include: minibatch_sgd.py

# %% tags=["demo"]
sgd_a_2, sgd_losses = sgd_linear(x_N2, y_N, torch.zeros(2, dtype=torch.float64), lr=0.2,
                                 batch_size=10, n_epochs=20,
                                 generator=torch.Generator().manual_seed(0))
print("minibatch SGD:", sgd_a_2.numpy())
plt.figure(figsize=(5, 3))
plt.semilogy(sgd_losses, "b-", lw=0.8, label="minibatch loss per update")
plt.xlabel("update")
plt.ylabel("mean squared error")
plt.legend()
plt.show()

# %%
check("minibatch_sgd")

# %% [markdown]
# ## Part 4: a polynomial `nn.Module` under the L1 loss
#
# The squared error punishes a residual $r$ by $r^2$: one far outlier can drag the whole fit.
# The L1 loss, $\frac{1}{N}\sum_n |\hat y_n - y_n|$, grows only like $|r|$ and is much less
# impressed. Below, a quadratic with a few wild points added.
#
# Write the model (one parameter vector `w`, `forward` returns shape `(N,)`), then two
# training loops over a `DataLoader`: SGD whose step shrinks as $\eta / (e + 1)$ in epoch $e$,
# and Adam. Both return the parameter history.

# %%
# include: polynomial_l1.py

# %% tags=["demo"]
poly_gen = torch.Generator().manual_seed(0)
x_poly_N = torch.rand(200, generator=poly_gen, dtype=torch.float64) * 2 - 1
y_poly_N = 1.0 - 2.0 * x_poly_N + 3.0 * x_poly_N ** 2 + 0.05 * torch.randn(200, generator=poly_gen,
                                                                           dtype=torch.float64)
y_poly_N[:8] += 6.0  # outliers
data = TensorDataset(x_poly_N, y_poly_N)
fits = {}
for name, train in (("SGD, lr/(e+1)", stochastic_gradient_descent), ("Adam", adam_fit)):
    model = PolynomialModel(2)
    history = train(model, F.l1_loss, data, lr=0.1, nepochs=30, batch_size=20,
                    generator=torch.Generator().manual_seed(1))
    fits[name] = (model, history)
x_grid = torch.linspace(-1, 1, 100, dtype=torch.float64)
fig, (ax_fit, ax_w) = plt.subplots(1, 2, figsize=(12, 3.5))
ax_fit.plot(x_poly_N, y_poly_N, "k.", markersize=3)
for name, (model, history) in fits.items():
    with torch.no_grad():
        ax_fit.plot(x_grid, model(x_grid), label=name)
    ax_w.plot(history, label=[f"{name}: w_{i}" for i in range(history.shape[1])])
ax_fit.set_title("L1 fits ignore the outliers (true: 1 - 2x + 3x^2)")
ax_fit.legend()
ax_w.set_xlabel("update")
ax_w.set_ylabel("parameter")
ax_w.legend(fontsize=7)
plt.show()

# %% [markdown]
# Both fits shrug off the outliers. With the same budget of updates, SGD whose step decays like
# $1/(e+1)$ is still crawling towards the answer, while Adam, which scales each coordinate's
# step by its own gradient history, is already there (and then jitters around it).

# %%
check("polynomial_l1")

# %% [markdown]
# ## Part 5: logistic regression and the negative log likelihood
#
# For labels $y_n \in \{0, 1\}$ the model predicts $\hat y_n = \sigma(a x_n + b)$. The average
# log likelihood $\frac1N \sum_n [y_n \log \hat y_n + (1 - y_n)\log(1 - \hat y_n)]$ is at
# most 0 and should be **large**; the loss to minimise is its **negative**. (Forgetting the
# minus sign is a classic: GD then makes the fit worse on purpose.) Clip $\hat y$ away from
# 0 and 1 before the logarithm.

# %%
# include: logistic_nll.py

# %% tags=["demo"]
cls_gen = torch.Generator().manual_seed(0)
x_cls_N = torch.randn(200, generator=cls_gen, dtype=torch.float64) * 2
y_cls_N = (torch.rand(200, generator=cls_gen, dtype=torch.float64)
           < torch.sigmoid(2.0 * x_cls_N - 1.0)).to(torch.float64)
a_fit, b_fit = fit_logistic(x_cls_N, y_cls_N, lr=0.5, n_iters=500)
print(f"fitted a = {a_fit:.3f}, b = {b_fit:.3f} (true: 2, -1)")
x_grid = torch.linspace(-6, 6, 200, dtype=torch.float64)
plt.figure(figsize=(5, 3))
plt.plot(x_cls_N, y_cls_N, "k|", markersize=10)
plt.plot(x_grid, torch.sigmoid(a_fit * x_grid + b_fit), "b-", label="fitted P(y = 1 | x)")
plt.xlabel("x")
plt.legend()
plt.show()

# %%
check("logistic_nll")

# %% [markdown]
# ## All public checks

# %%
check_all("hw2_torch")
