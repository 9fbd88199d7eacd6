import autograd
import autograd.numpy as ag_np
import numpy as np


def add_bias_column(x_ND):
    # Treat a 1D input of shape (N,) as N examples with one feature each.
    x_ND = np.asarray(x_ND, dtype=np.float64)
    if x_ND.ndim == 1:
        x_ND = x_ND.reshape(-1, 1)
    n_examples = x_ND.shape[0]
    # The column of ones goes LAST.
    ones_N1 = np.ones((n_examples, 1))
    xtilde_NE = np.concatenate([x_ND, ones_N1], axis=1)
    return xtilde_NE


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    # Predictions of the linear model (the bias is the last weight).
    yhat_N = ag_np.dot(xtilde_NE, wtilde_E)
    # Residuals and their sum of squares.
    residual_N = y_N - yhat_N
    sum_squared_residuals = ag_np.sum(ag_np.square(residual_N))
    # Scale by 1 / (2 sigma^2).
    loss = 0.5 / (sigma ** 2) * sum_squared_residuals
    return loss


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xtilde_NE = add_bias_column(x_ND)
    n_params = xtilde_NE.shape[1]

    # The loss is quadratic with Hessian H = X~^T X~ / sigma^2. Its largest eigenvalue is
    # the squared largest singular value of X~ divided by sigma^2.
    largest_singular_value = np.linalg.norm(xtilde_NE, ord=2)
    largest_hessian_eigenvalue = largest_singular_value ** 2 / sigma ** 2
    # GD is stable for step < 2 / lambda_max; use a little less than the middle of that range.
    step_size = 1.5 / largest_hessian_eigenvalue

    gradient_function = autograd.grad(linreg_neg_log_lik)

    wtilde_E = np.zeros(n_params)
    initial_gradient_E = gradient_function(wtilde_E, xtilde_NE, y_N, sigma)
    initial_gradient_norm = np.sqrt(np.sum(np.square(initial_gradient_E)))
    gradient_E = initial_gradient_E

    # Keep stepping until the gradient has shrunk by a factor 1e12 (or we give up).
    max_iters = 400000
    relative_tolerance = 1e-12
    for iter_id in range(max_iters):
        gradient_norm = np.sqrt(np.sum(np.square(gradient_E)))
        if gradient_norm <= relative_tolerance * initial_gradient_norm:
            break
        wtilde_E = wtilde_E - step_size * gradient_E
        gradient_E = gradient_function(wtilde_E, xtilde_NE, y_N, sigma)
    return wtilde_E
