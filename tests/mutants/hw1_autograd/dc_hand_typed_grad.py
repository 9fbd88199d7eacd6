"""decaying_cosine_grad is the right derivative -e^(-x/10) (cos(x)/10 + sin x), typed in by
hand, although the docstring says it is computed by autograd.grad."""
# exercise: decaying_cosine
import autograd.numpy as ag_np


def decaying_cosine_grad(x):
    return -ag_np.exp(-x / 10.0) * (ag_np.cos(x) / 10.0 + ag_np.sin(x))
