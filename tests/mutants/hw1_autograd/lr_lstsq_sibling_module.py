"""A folder submission whose fit calls lstsq inside a sibling module (`import linreg_tools`).
The selftest takes one file, so the sibling module is built here with types.ModuleType and
registered in sys.modules; a real folder (its path on sys.path) behaves the same."""
# exercise: linreg_bias
import sys
import types

_LINREG_TOOLS = '''
import numpy as np


def exact_weights(xtilde_NE, y_N):
    return np.linalg.lstsq(xtilde_NE, y_N, rcond=None)[0]
'''
_module = types.ModuleType("linreg_tools")
exec(compile(_LINREG_TOOLS, "linreg_tools.py", "exec"), _module.__dict__)
sys.modules["linreg_tools"] = _module

import linreg_tools  # noqa: E402


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    return linreg_tools.exact_weights(add_bias_column(x_ND), y_N)
