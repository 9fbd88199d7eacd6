"""lin swaps slope and intercept: b * x + a."""
# exercise: numpy_gradients


def lin(a, b, x):
    return b * x + a
