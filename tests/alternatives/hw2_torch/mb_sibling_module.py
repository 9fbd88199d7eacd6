"""A folder submission: minibatch_sgd.py imports its batching from a sibling module
(`from batching import epoch_batches`). The selftest takes one file, so the sibling module is
built here with types.ModuleType and registered in sys.modules; in a real folder it is
batching.py next to minibatch_sgd.py."""
# exercise: minibatch_sgd
import sys
import types

_BATCHING = '''
import torch


def epoch_batches(n, batch_size, generator):
    """One epoch: the indices 0..n-1 shuffled by generator, cut into batches."""
    return torch.randperm(n, generator=generator).split(batch_size)
'''
_module = types.ModuleType("batching")
exec(compile(_BATCHING, "batching.py", "exec"), _module.__dict__)
sys.modules["batching"] = _module

import torch  # noqa: E402
from batching import epoch_batches  # noqa: E402


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    a = a0_2.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(n_epochs):
        for idx in epoch_batches(len(y_N), batch_size, generator):
            loss = torch.mean((x_N2[idx] @ a - y_N[idx]) ** 2)
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                a.grad.zero_()
    return a.detach(), losses
