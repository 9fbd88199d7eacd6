# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # HW1: gradients with autograd, gradient descent, and a first neural network
#
# This notebook is the teaching text of the assignment *and* the place where you write your
# answers. `grader build` generates it from the course repository (do not edit the generated
# `.ipynb` there; in your own copy, of course, you fill in the code).
#
# What you will practise:
#
# 1. letting the **autograd** package differentiate a Python function for you, first with a
#    scalar input, then with a vector input;
# 2. **gradient descent** (GD): writing the loop, and using it on a function whose minimum we
#    know exactly;
# 3. **linear regression** with a bias, fitted by GD on a toy data set;
# 4. a small **neural network** whose parameters are a list of dicts, trained with autograd.
#
# **How to work.** Every cell that says `raise NotImplementedError()` is yours to replace. After
# each exercise there is a cell `check("...")`: it runs the public checks of that exercise on
# *your* functions (the ones defined in this notebook) and prints a table with hints. The final
# grade also uses hidden checks: other inputs, other dimensions, other data sets. Code that
# only works for the examples shown here will lose those points.
#
# Keep the names and signatures of the functions you are asked to write: the grader calls them.
# **What is graded.** The grader runs your saved notebook from the top in a fresh process, so
# save it before you hand it in. A cell that raises an error is skipped there and grading goes
# on with the next cell (Jupyter's Run All stops at it instead); the report names the cell.
# Cells tagged `demo` (plots, worked examples) are for you to
# run and look at: the grader runs only their `def`, `class` and `import` statements, never
# their other code. So a helper function you define in a demo cell counts, exactly as it does
# for `check(...)`; but a variable computed there does not exist for the grader. Put what
# your functions need in the exercise cells. You may also hand in the .py files instead of
# the notebook: the one with more functions attempted is graded, and the report names it.

# %%
import copy

import numpy as np
import matplotlib.pyplot as plt

import autograd
import autograd.numpy as ag_np
from autograd.misc import flatten

from grader.notebook import check, check_all

# %% [markdown]
# ## Part 1: derivatives of a function of one variable
#
# Take a function $f$ that maps a number to a number. Its derivative
# $g(x) = \frac{d}{dx} f(x)$ is again a function of $x$. Instead of working it out by hand,
# we can ask autograd for it:
#
# ```python
# g = autograd.grad(f)
# ```
#
# `autograd.grad` returns a **new Python function** with the same input as `f` that returns the
# derivative. For this to work, `f` must be written with operations autograd can trace: use
# `ag_np` (autograd's wrapper of numpy, same API: `ag_np.exp`, `ag_np.cos`, `ag_np.sum`, ...).
# Two things do **not** work inside a function you want to differentiate:
#
# * the `math` module (`math.exp(x)` needs a real float, but autograd passes a traced "box");
# * converting to a plain number (`float(x)`, `x.item()`), which cuts the trace.
#
# Also pass **floats**, not ints: autograd refuses to differentiate with respect to an integer
# (`g(1.0)`, not `g(1)`).
#
# A warm-up: $f(x) = x^2$, whose derivative we know is $2x$.

# %% tags=["demo"]
def square(x):
    return ag_np.square(x)

square_grad = autograd.grad(square)
print("derivative at -1, 0, 2:", square_grad(-1.0), square_grad(0.0), square_grad(2.0))

# %% [markdown]
# Looking at $f$ and $g$ side by side is a good habit: where $f$ slopes down, $g$ is negative;
# at the bottom of the bowl, $g$ crosses zero.

# %% tags=["demo"]
def plot_function_and_derivative(f, g, x_grid_G, title):
    """Two panels: f on the left, its derivative g on the right."""
    fig, (ax_f, ax_g) = plt.subplots(1, 2, figsize=(10, 3), sharex=True)
    ax_f.plot(x_grid_G, [f(x) for x in x_grid_G], "k-")
    ax_f.set_title(title)
    ax_g.plot(x_grid_G, [g(x) for x in x_grid_G], "b-")
    ax_g.axhline(0.0, color="gray", lw=0.5)
    ax_g.set_title("its derivative (autograd)")
    for ax in (ax_f, ax_g):
        ax.set_xlabel("x")
    plt.show()

plot_function_and_derivative(square, square_grad, np.linspace(-5.0, 5.0, 101), "f(x) = x^2")

# %% [markdown]
# ### Exercise 1: a decaying cosine
#
# $$ f(x) = e^{-x/10} \cos(x) $$
#
# Write `decaying_cosine(x)` with `ag_np`, and `decaying_cosine_grad(x)` that returns
# $f'(x)$ **computed by autograd** (not a formula you derived; the grader also checks that
# your function can be traced).

# %%
# include: decaying_cosine.py

# %% [markdown]
# Plot both. The cosine oscillates while the factor $e^{-x/10}$ shrinks it as $x$ grows
# (and blows it up for negative $x$); the derivative should be zero exactly where $f$ has its
# peaks and troughs.

# %% tags=["demo"]
plot_function_and_derivative(decaying_cosine, decaying_cosine_grad,
                             np.linspace(-10.0, 10.0, 401), "f(x) = exp(-x/10) cos(x)")

# %%
check("decaying_cosine")

# %% [markdown]
# ## Part 2: gradients of a function of a vector
#
# Now let the input be a vector $x \in \mathbb{R}^D$ and the output a scalar. The gradient
# collects the $D$ partial derivatives:
#
# $$ \nabla f(x) = \left[ \frac{\partial f}{\partial x_1}, \ldots,
#    \frac{\partial f}{\partial x_D} \right] $$
#
# Nothing changes in how we call autograd: `autograd.grad(f)` returns a function that maps an
# array of shape `(D,)` to an array of shape `(D,)`. Names in this course end with their
# shape: `x_D` is a vector of length D, `x_ND` a matrix with N rows and D columns.
#
# Example: $f(x) = \sum_d x_d^2$ has gradient $2x$.

# %% tags=["demo"]
def sum_of_squares(x_D):
    return ag_np.sum(ag_np.square(x_D))

sum_of_squares_grad = autograd.grad(sum_of_squares)

x_D = np.asarray([1.0, 2.0, 3.0, 4.0])
print("x      =", x_D)
print("f(x)   =", sum_of_squares(x_D))
print("grad f =", sum_of_squares_grad(x_D))

# %% [markdown]
# ## Part 3: gradient descent
#
# Gradient descent repeats one step: move against the gradient,
#
# $$ x_{t+1} = x_t - \eta \, \nabla f(x_t), $$
#
# where $\eta > 0$ is the **step size** (learning rate). Too large a step and the iterates
# overshoot and grow; too small and nothing seems to happen.
#
# ### Exercise 2a: the GD loop
#
# Write `run_many_iters_of_gradient_descent`. Read the docstring carefully: the history has
# exactly `n_iters` entries, entry 0 is the **start point** (so there are `n_iters - 1`
# updates), and the start array must not be modified. Tip: `x_D = x_D - step * g_D` makes a
# new array each time; `x_D -= step * g_D` changes the one array every history entry
# points to.

# %%
# include: trid.py run_many_iters_of_gradient_descent

# %% [markdown]
# ### Worked example: minimise $\sum_d x_d^2$
#
# The answer is obviously the zero vector. From the start point $[-3, 4, -5, 6]$ with
# $\eta = 0.01$, every coordinate shrinks by the factor $1 - 2\eta = 0.98$ per step, so the
# iterates approach zero geometrically, and the loss curve (log scale) is a straight line.

# %% tags=["demo"]
def plot_gd_history(history, value_label="x_d", title=""):
    """Left: each coordinate of the iterate per iteration; right: the loss (log scale)."""
    fig, (ax_x, ax_f) = plt.subplots(1, 2, figsize=(12, 3))
    ax_x.plot(history["iter"], np.asarray(history["x_D"]))
    ax_x.set_xlabel("iteration")
    ax_x.set_ylabel(value_label)
    ax_x.set_title(title)
    f_T = np.asarray(history["f"], dtype=float)
    shift = 0.0 if np.min(f_T) > 0 else 1.0 - np.min(f_T)  # log scale needs positive values
    ax_f.semilogy(history["iter"], f_T + shift, "k-")
    ax_f.set_xlabel("iteration")
    ax_f.set_ylabel("f(x)" if shift == 0.0 else f"f(x) + {shift:.3g}")
    plt.show()

opt_x_D, history = run_many_iters_of_gradient_descent(
    sum_of_squares, sum_of_squares_grad, np.asarray([-3.0, 4.0, -5.0, 6.0]),
    n_iters=300, step_size=0.01)
print("last iterate:", opt_x_D)
plot_gd_history(history, title="GD on sum of squares")

# %% [markdown]
# ### Exercise 2b: the Trid function
#
# For $x \in \mathbb{R}^D$ with $D \ge 2$,
#
# $$ \mathrm{trid}(x) = \sum_{d=1}^{D} (x_d - 1)^2 - \sum_{d=2}^{D} x_d \, x_{d-1}. $$
#
# For $D = 2$ this is $(x_1 - 1)^2 + (x_2 - 1)^2 - x_1 x_2$. The function is a convex bowl with
# one minimiser, known in closed form: $x^*_d = d\,(D + 1 - d)$, e.g. $[2, 2]$ for $D = 2$ and
# $[3, 4, 3]$ for $D = 3$. So we can tell exactly how well GD did.
#
# Write `trid` (any $D \ge 2$, vectorised, with `ag_np`), `trid_grad` (from autograd) and
# `minimize_trid(init_x_D)`, which must land within $10^{-5}$ of the minimiser in every
# coordinate, for every $D$. Choosing the step size and the number of iterations is part of
# the exercise: a step that works for $D = 2$ is not necessarily enough iterations for
# $D = 10$.

# %%
# include: trid.py trid trid_grad minimize_trid

# %% [markdown]
# Where does GD go? The contour plot shows the bowl for $D = 2$ and the path from $[1, -1]$;
# the curves beside it show each coordinate and the gap $f(x_t) - f(x^*)$ per iteration.

# %% tags=["demo"]
trid_opt_x_D, trid_history = run_many_iters_of_gradient_descent(
    trid, trid_grad, np.asarray([1.0, -1.0]), n_iters=60, step_size=0.25)
path_T2 = np.asarray(trid_history["x_D"])

u_G = np.linspace(-2.0, 5.0, 81)
grid_GG = np.asarray([[trid(np.asarray([a, b])) for a in u_G] for b in u_G])
fig, (ax_c, ax_x, ax_f) = plt.subplots(1, 3, figsize=(15, 3.5))
ax_c.contour(u_G, u_G, grid_GG, levels=20, cmap="viridis")
ax_c.plot(path_T2[:, 0], path_T2[:, 1], "r.-", label="GD iterates")
ax_c.plot([2.0], [2.0], "k*", markersize=12, label="minimiser [2, 2]")
ax_c.set_xlabel("x_1")
ax_c.set_ylabel("x_2")
ax_c.legend(loc="lower right")
ax_x.plot(trid_history["iter"], path_T2)
ax_x.set_xlabel("iteration")
ax_x.set_ylabel("x_d")
gap_T = np.asarray(trid_history["f"], dtype=float) - (-2.0)  # trid(x*) = -2 for D = 2
ax_f.semilogy(trid_history["iter"], np.maximum(gap_T, 1e-16), "k-")
ax_f.set_xlabel("iteration")
ax_f.set_ylabel("f(x_t) - f(x*)")
plt.show()
print("minimize_trid from [1, -1]:", minimize_trid(np.asarray([1.0, -1.0])))

# %%
check("trid")

# %% [markdown]
# ## Part 4: linear regression with gradient descent
#
# We observe $N$ pairs $(x_n, y_n)$ with $x_n \in \mathbb{R}^D$ and a scalar $y_n$, and
# assume
#
# $$ y_n \sim \mathcal{N}(w^\top x_n + b, \sigma^2), \qquad \sigma = 0.1. $$
#
# The maximum likelihood weights minimise the negative log likelihood, which up to a constant
# is a sum of squared residuals:
#
# $$ L(w, b) = \frac{1}{2\sigma^2} \sum_{n=1}^N \left(y_n - w^\top x_n - b\right)^2 .$$
#
# **Toy data.** $N = 300$ inputs drawn uniformly in $[-5, 5]^2$ (seed 0), true weights
# $[4.2, -4.2]$, true bias $0.1$, noise $0.1 \cdot \mathcal{N}(0, 1)$.

# %% tags=["demo"]
N, D, sigma = 300, 2, 0.1
true_w_D = np.asarray([4.2, -4.2])
true_bias = 0.1

train_prng = np.random.RandomState(0)
x_ND = train_prng.uniform(low=-5.0, high=5.0, size=(N, D))
y_N = np.dot(x_ND, true_w_D) + true_bias + sigma * train_prng.randn(N)

fig, axes = plt.subplots(1, 2, figsize=(10, 3), sharey=True)
for d, ax in enumerate(axes):
    ax.plot(x_ND[:, d], y_N, "k.", markersize=3)
    ax.set_xlabel(f"x_{d + 1}")
axes[0].set_ylabel("y")
plt.show()

# %% [markdown]
# The slopes are visible: about $+4$ against $x_1$, about $-4$ against $x_2$.
#
# ### Worked example: no bias
#
# Without a bias the model is forced through the origin. The loss is huge at $w = 0$ (the
# factor $1/(2\sigma^2) = 50$ and $N = 300$ terms), so the gradient is huge too and the step
# size must be tiny. We reuse your GD loop from Part 3.

# %% tags=["demo"]
def neg_log_lik_no_bias(w_D):
    resid_N = y_N - ag_np.dot(x_ND, w_D)
    return 0.5 / sigma ** 2 * ag_np.sum(ag_np.square(resid_N))

w0_D = np.zeros(D)
print("loss at w = 0:", neg_log_lik_no_bias(w0_D))
print("gradient at w = 0:", autograd.grad(neg_log_lik_no_bias)(w0_D))
nobias_w_D, nobias_history = run_many_iters_of_gradient_descent(
    neg_log_lik_no_bias, autograd.grad(neg_log_lik_no_bias), w0_D,
    n_iters=200, step_size=1e-6)
print("weights after GD:", nobias_w_D)
plot_gd_history(nobias_history, value_label="w_d", title="linear regression without bias")

# %% [markdown]
# ### Exercise 3: add the bias
#
# A neat way to get a bias without new code paths: append a column of ones to the inputs,
# $\tilde{x}_n = [x_n, 1]$, and a bias entry to the weights, $\tilde{w} = [w, b]$. Then
# $\tilde{w}^\top \tilde{x}_n = w^\top x_n + b$ and the same loss applies to $\tilde{w}$.
#
# Write `add_bias_column` (the ones go **last**), `linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N,
# sigma)` and `fit_linreg_with_bias(x_ND, y_N)`, which must reach the least-squares optimum
# by **gradient descent with autograd gradients** (closed-form solvers such as
# `np.linalg.solve` or `lstsq` are rejected). The hidden checks use other data sets (other
# $N$, $D$ and scales), so a step size tuned by hand to this one data set will not do: derive
# it from the data. Hint: the loss is quadratic with Hessian
# $H = \tilde{X}^\top \tilde{X} / \sigma^2$, and GD is stable for $\eta < 2 / \lambda_{\max}(H)$.

# %%
# include: linreg_bias.py

# %% [markdown]
# Check the fit with a picture: predictions against the truth should sit on the diagonal.

# %% tags=["demo"]
wtilde_E = fit_linreg_with_bias(x_ND, y_N, sigma)
print("fitted [w_1, w_2, b]:", wtilde_E, " true:", [4.2, -4.2, 0.1])
yhat_N = np.dot(add_bias_column(x_ND), wtilde_E)

def plot_predicted_vs_true(yhat_N, y_N, title):
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot(y_N, yhat_N, "k.", markersize=3)
    lims = [min(y_N.min(), yhat_N.min()), max(y_N.max(), yhat_N.max())]
    ax.plot(lims, lims, "r-", lw=1, label="perfect prediction")
    ax.set_xlabel("true y")
    ax.set_ylabel("predicted y")
    ax.set_title(title)
    ax.legend(loc="upper left")
    plt.show()

plot_predicted_vs_true(yhat_N, y_N, "linear regression with bias")

# %%
check("linreg_bias")

# %% [markdown]
# ## Part 5: neural networks, with parameters in data structures
#
# autograd differentiates with respect to **containers of arrays** too: lists, tuples and
# dicts. The gradient comes back in the same structure, so a model can keep its parameters in
# whatever shape is natural.

# %% tags=["demo"]
def sum_sq_of_list(w_list):
    return ag_np.sum(ag_np.square(w_list[0])) + ag_np.sum(ag_np.square(w_list[1]))

def sum_sq_of_dict(p):
    return ag_np.sum(ag_np.square(p["weights"])) + ag_np.square(p["bias"])

print(autograd.grad(sum_sq_of_list)([np.zeros(3), np.arange(4.0)]))
print(autograd.grad(sum_sq_of_dict)(dict(weights=np.arange(4.0), bias=1.5)))

# %% [markdown]
# A fully connected network is a **list of layers**; each layer is a dict with a weight
# matrix `w` of shape `(n_in, n_out)` and a bias vector `b` of shape `(n_out,)`. With hidden
# sizes `[3]`, 2 inputs and 1 output there are two layers: `(2, 3)` and `(3, 1)`. The
# prediction applies, layer by layer, `out = in @ w + b`, with the activation (here `tanh`)
# **between** layers and never after the last one. With no hidden layers the network is just
# linear regression.
#
# ### Exercise 4: build, predict, train
#
# Write `make_nn_params_as_list_of_dicts`, `predict_y_given_x_with_NN`, `nn_regression_loss`
# and `fit_nn(x_ND, y_N)`. In `fit_nn` the architecture, initialisation and optimiser are
# yours: plain GD works but is slow here; an optimiser such as Adam, or standardising
# the data first (then folding the scaling back into the weights), goes a long way. The grader scores the
# returned parameters on fresh points from the same distribution, predicting with your
# `predict_y_given_x_with_NN` and its default `tanh`.

# %%
# include: nn_fit.py

# %% [markdown]
# A quick look at the structure:

# %% tags=["demo"]
for layer_id, layer in enumerate(make_nn_params_as_list_of_dicts([3], n_dims_input=2, n_dims_output=1)):
    print(f"layer {layer_id}: w {layer['w'].shape}, b {layer['b'].shape}")

# %% [markdown]
# **Non-linear toy data.** Same inputs as before, but the output depends on squares:
# $y = -2 x_1^2 + 2 x_2^2 + 4.2 x_1 - 4.2 x_2 + 0.1\,\epsilon$. A linear model cannot fit this.
#
# First, plain GD on a network with 10 hidden units, to watch the loss. `flatten` turns the
# list of dicts into one vector (and back), so your GD loop from Part 3 works unchanged.

# %% tags=["demo"]
sq_prng = np.random.RandomState(0)
xq_ND = sq_prng.uniform(low=-5.0, high=5.0, size=(N, D))
yq_N = (np.dot(np.square(xq_ND), np.asarray([-2.0, 2.0]))
        + np.dot(xq_ND, np.asarray([4.2, -4.2])) + sigma * sq_prng.randn(N))

init_prng = np.random.RandomState(42)
h10_params = make_nn_params_as_list_of_dicts(
    [10], n_dims_input=2, n_dims_output=1,
    weight_fill_func=lambda shape: 0.1 * init_prng.randn(*shape))
flat_init_P, unflatten = flatten(h10_params)

def flat_loss(flat_P):
    return nn_regression_loss(unflatten(flat_P), xq_ND, yq_N, sigma)

flat_P, h10_history = run_many_iters_of_gradient_descent(
    flat_loss, autograd.grad(flat_loss), flat_init_P, n_iters=300, step_size=1e-6)
fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogy(h10_history["iter"], h10_history["f"], "k-")
ax.set_xlabel("iteration")
ax.set_ylabel("loss")
ax.set_title("plain GD, 10 hidden units")
plt.show()

# %% [markdown]
# Progress is slow: the raw data has large, differently scaled inputs and outputs, and plain GD
# with one small step size has to suit the steepest direction. Your `fit_nn` should do much
# better. The scatter below compares its predictions with the truth.

# %% tags=["demo"]
fitted_params = fit_nn(xq_ND, yq_N)
yhat_q_N = predict_y_given_x_with_NN(xq_ND, fitted_params)
print("root mean squared error on the training data:", np.sqrt(np.mean(np.square(yhat_q_N - yq_N))))
plot_predicted_vs_true(yhat_q_N, yq_N, "fit_nn on the non-linear toy data")

# %%
check("nn_fit")

# %% [markdown]
# ## All public checks
#
# Run this before you hand in. Then try, if you like: can the network reach (almost) zero
# training error? What happens with a deeper network, or with a larger step size?

# %%
check_all("hw1_autograd")
