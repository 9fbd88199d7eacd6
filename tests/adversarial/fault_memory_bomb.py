"""decaying_cosine_grad allocates memory until something gives."""


def decaying_cosine_grad(x):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))
