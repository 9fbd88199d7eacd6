import autograd
import autograd.numpy as ag_np

compose = lambda outer, inner: (lambda x: outer(inner(x)))

envelope = compose(ag_np.exp, lambda x: -x / 10.0)


def decaying_cosine(x):
    return envelope(x) * ag_np.cos(x)


def decaying_cosine_grad(x):
    df = autograd.grad(decaying_cosine)
    return df(ag_np.float64(x))
