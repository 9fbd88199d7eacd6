"""decaying_cosine_grad never returns."""


def decaying_cosine_grad(x):
    while True:
        pass
