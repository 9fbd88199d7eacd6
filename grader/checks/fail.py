"""How a verify function says what is wrong, in the course's terms.

Verifiers raise `Fail` (no points, or partial points via `fraction`); the
message always carries what was expected, what was got, where, and a hint.
"""
import numpy as np


class Fail(Exception):
    """A check's verdict against the submission.

    Args: message: what is wrong; fraction: the share of points still earned
    (0 for none); status: 'failed' or 'error' (unusable output).
    """

    def __init__(self, message, fraction=0.0, status="failed"):
        super().__init__(message)
        self.message = message
        self.fraction = float(fraction)
        self.status = status


def fmt(value, digits=6):
    """A short, readable rendering of a number or array for messages."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{digits}g}"
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=digits, threshold=12, edgeitems=3, suppress=False):
            return np.array2string(value, separator=", ")
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return "[" + ", ".join(fmt(v, digits) for v in value[:6]) + f", ... ({len(value)} items)]"
    return repr(value)


def differing(expected, got, digits=6):
    """(expected text, got text) with the fewest digits (>= digits) at which they differ."""
    e, g = np.asarray(expected, np.float64), np.asarray(got, np.float64)
    for d in range(digits, 18):
        te, tg = _text(e, d), _text(g, d)
        if te != tg or np.array_equal(e, g):
            return te, tg
    return _text(e, 17), _text(g, 17)


def _text(value, digits):
    if value.ndim == 0:
        return f"{float(value):.{digits}g}"
    with np.printoptions(precision=digits, threshold=12, edgeitems=3, floatmode="maxprec"):
        return np.array2string(value, separator=", ")
