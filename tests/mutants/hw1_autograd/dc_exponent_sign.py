"""Growing instead of decaying: exp(+x/10) cos(x)."""
# exercise: decaying_cosine
import autograd.numpy as ag_np


def decaying_cosine(x):
    return ag_np.exp(x / 10.0) * ag_np.cos(x)
