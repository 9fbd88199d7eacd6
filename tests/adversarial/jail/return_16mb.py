"""A decaying_cosine whose first call returns 16 MB of parameters (1,999,000 float64s).

Graded as decaying_cosine.py. The first call (the `values` check) returns a float64
array of 1,999,000 random numbers (16 MB, just inside the grader's 2,000,000-item budget;
about 21 MB as the base64 the child sends); every later call in the same process returns
the right value. Expected: `values` scores 0 (an array instead of a number), and so does
`gradient_hidden` (hidden checks run in a process of their own), the other checks full marks,
and the trusted parent's memory does not balloon: its peak RSS grows by less than
twice the 16 MB that was returned compared with grading the reference.
"""
import autograd
import autograd.numpy as ag_np

_calls = [0]


def decaying_cosine(x):
    _calls[0] += 1
    if _calls[0] == 1:
        return ag_np.random.default_rng(0).random(1_999_000)
    return ag_np.exp(-x / 10.0) * ag_np.cos(x)


def decaying_cosine_grad(x):
    return autograd.grad(decaying_cosine)(x)
