"""A correct decaying_cosine that spends a fixed amount of CPU time in every call.

Each call burns BURN_S seconds of this process's CPU time (time.process_time, so the work
is the same however busy the machine is) and then returns the right answer. The largest
check of decaying_cosine calls it about 35 times: well under 0.5 s of CPU.
Expected: full marks on a quiet machine and the same full marks on a loaded one, when the
time limit is about twice the CPU time a check needs.
"""
import time

import autograd
import autograd.numpy as ag_np

BURN_S = 0.01


def _burn():
    start = time.process_time()
    while time.process_time() - start < BURN_S:
        pass


def decaying_cosine(x):
    _burn()
    return ag_np.exp(-x / 10.0) * ag_np.cos(x)


def decaying_cosine_grad(x):
    return autograd.grad(decaying_cosine)(x)
