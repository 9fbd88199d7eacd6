"""Plain Python loops over the examples instead of vectorised numpy."""
# exercise: numpy_gradients


def lin(a, b, x):
    import numpy as np
    return np.array([a * xn + b for xn in x])


def mse_loss(a, b, x, y):
    total = 0.0
    for xn, yn in zip(x, y):
        total += (a * xn + b - yn) ** 2
    return total / len(x)


def mse_loss_grad(a, b, x, y):
    da = db = 0.0
    for xn, yn in zip(x, y):
        r = a * xn + b - yn
        da += 2 * r * xn
        db += 2 * r
    return da / len(x), db / len(x)


def fit_line_numpy(x, y, lr=0.1, n_steps=1000):
    a = b = 0.0
    step = 0
    while step < n_steps:
        g = mse_loss_grad(a, b, x, y)
        a -= lr * g[0]
        b -= lr * g[1]
        step += 1
    return a, b
