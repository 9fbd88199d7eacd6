"""A folder submission whose mse_loss_grad calls torch autograd inside a sibling module
(`import line_tools`). The selftest takes one file, so the sibling module is built here with
types.ModuleType and registered in sys.modules; a real folder behaves the same."""
# exercise: numpy_gradients
import sys
import types

_LINE_TOOLS = '''
import torch


def slope_intercept_grad(a, b, x, y):
    ab = torch.tensor([float(a), float(b)], dtype=torch.float64, requires_grad=True)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    ((ab[0] * xt + ab[1] - yt) ** 2).mean().backward()
    return ab.grad[0].item(), ab.grad[1].item()
'''
_module = types.ModuleType("line_tools")
exec(compile(_LINE_TOOLS, "line_tools.py", "exec"), _module.__dict__)
sys.modules["line_tools"] = _module

import line_tools  # noqa: E402


def mse_loss_grad(a, b, x, y):
    return line_tools.slope_intercept_grad(a, b, x, y)
