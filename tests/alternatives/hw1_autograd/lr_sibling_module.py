"""A folder submission: linreg_bias.py imports its GD loop from a sibling module
(`from gd_tools import descend`), which takes autograd gradients. The selftest takes one
file, so the sibling module is built here with types.ModuleType and registered in
sys.modules; in a real folder it is gd_tools.py next to linreg_bias.py."""
# exercise: linreg_bias
import sys
import types

_GD_TOOLS = '''
import autograd
import numpy as np


def descend(loss, w0, step_size, max_iters=100000, rtol=1e-12):
    """Plain gradient descent on loss from w0 until the step is tiny."""
    grad = autograd.grad(loss)
    w = np.array(w0, dtype=np.float64)
    for _ in range(max_iters):
        dw = step_size * grad(w)
        w = w - dw
        if np.linalg.norm(dw) < rtol * (1.0 + np.linalg.norm(w)):
            break
    return w
'''
_module = types.ModuleType("gd_tools")
exec(compile(_GD_TOOLS, "gd_tools.py", "exec"), _module.__dict__)
sys.modules["gd_tools"] = _module

import numpy as np  # noqa: E402
from gd_tools import descend  # noqa: E402


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    xt = add_bias_column(x_ND)
    y_N = np.asarray(y_N, dtype=np.float64)
    lam_max = np.linalg.eigvalsh(xt.T @ xt / sigma ** 2)[-1]
    return descend(lambda w: linreg_neg_log_lik(w, xt, y_N, sigma), np.zeros(xt.shape[1]),
                   1.0 / lam_max)
