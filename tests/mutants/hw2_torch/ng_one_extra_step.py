"""Counts steps with `while step <= n_steps`: one update too many (and n_steps = 0 moves)."""
# exercise: numpy_gradients


def fit_line_numpy(x, y, lr=0.1, n_steps=1000):
    a, b = 0.0, 0.0
    step = 0
    while step <= n_steps:
        dL_da, dL_db = mse_loss_grad(a, b, x, y)
        a, b = a - lr * dL_da, b - lr * dL_db
        step += 1
    return a, b
