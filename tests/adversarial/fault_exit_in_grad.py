"""decaying_cosine_grad calls os._exit(0); decaying_cosine stays correct."""
import os


def decaying_cosine_grad(x):
    os._exit(0)
