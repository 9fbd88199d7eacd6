"""Starts gradient descent from the course notes' guess (-1, 1) instead of (0, 0)."""
# exercise: numpy_gradients


def fit_line_numpy(x, y, lr=0.1, n_steps=1000):
    a, b = -1.0, 1.0
    for _ in range(n_steps):
        dL_da, dL_db = mse_loss_grad(a, b, x, y)
        a, b = a - lr * dL_da, b - lr * dL_db
    return a, b
