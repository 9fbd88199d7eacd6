"""Attack the parent's scan cannot read: the solver's name is built at run time (rot13),
and the evidence is forged through a module found by a computed name. What we promise here
is not the points (nothing the parent can compute tells this fit from gradient descent) but
the review flag: the source reaches into the grader's process (`__import__`), so fit and
fit_hidden carry a flag that the instructor sees."""
# exercise: linreg_bias
import codecs

import numpy as np

_evidence = __import__(codecs.decode("tenqre.purpxf.rivqrapr", "rot13"), fromlist=["x"])
_evidence.CallLog.report = lambda self: {"counts": {"solver": 0, "gradient": 1000},
                                         "called": {}}
_SOLVER = getattr(np.linalg, codecs.decode("yfgfd", "rot13"))


def fit_linreg_with_bias(x_ND, y_N, sigma=0.1):
    return _SOLVER(add_bias_column(x_ND), np.asarray(y_N, dtype=np.float64), rcond=None)[0]
