"""Attack: forge the run-time evidence of minimize_trid (every CallLog reports 500
gradient calls and no solver) and return the closed-form minimiser d (D + 1 - d).
Expected: the parent's scan sees that the result depends on init_x_D's size only:
minimize and minimize_hidden score 0, with the flag that the source reaches the grader."""
# exercise: trid
import sys

import numpy as np

_evidence = sys.modules["grader.checks.evidence"]
_evidence.CallLog.report = lambda self: {"counts": {"solver": 0, "gradient": 500,
                                                   "trid_grad": 500}, "called": {}}


def minimize_trid(init_x_D):
    d = np.arange(1, len(init_x_D) + 1, dtype=np.float64)
    return d * (len(init_x_D) + 1 - d)
