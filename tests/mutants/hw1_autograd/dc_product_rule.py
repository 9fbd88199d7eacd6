"""Forgets the product rule: keeps only e^(-x/10) * (cos x)'."""
# exercise: decaying_cosine
import autograd.numpy as ag_np


def decaying_cosine_grad(x):
    return -ag_np.exp(-x / 10.0) * ag_np.sin(x)
