"""Updates a first and then takes b's gradient at the new a (not simultaneous GD)."""
# exercise: numpy_gradients


def fit_line_numpy(x, y, lr=0.1, n_steps=1000):
    a, b = 0.0, 0.0
    for _ in range(n_steps):
        a = a - lr * mse_loss_grad(a, b, x, y)[0]
        b = b - lr * mse_loss_grad(a, b, x, y)[1]
    return a, b
