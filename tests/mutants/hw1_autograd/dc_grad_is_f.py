"""Returns f itself instead of its derivative (g = f, as the seed's TODO left it)."""
# exercise: decaying_cosine


def decaying_cosine_grad(x):
    return decaying_cosine(x)
