"""Attack: forge the run-time evidence of the linreg fit. Imports the staged
grader.checks.evidence, makes every CallLog report "no solver, 1000 autograd gradients",
and keeps np.linalg.lstsq in a dict taken before the probe wraps numpy.
Expected: the parent's scan of this source sees lstsq in the fit's closure: fit and
fit_hidden score 0, and both carry the flag that the source reaches the grader."""
# exercise: linreg_bias
import numpy as np

import grader.checks.evidence as _evidence

_evidence.CallLog.report = lambda self: {"counts": {"solver": 0, "gradient": 1000},
                                         "called": {}}
_KEPT = {"solver": np.linalg.lstsq}  # taken before the probe wraps numpy


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    return _KEPT["solver"](add_bias_column(x_ND), np.asarray(y_N, dtype=np.float64),
                           rcond=None)[0]
