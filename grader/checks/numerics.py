"""Trusted numerical helpers for verify functions (parent side, float64).

Comparisons use a relative error |a - b| / max(|a|, |b|, tiny) with an
absolute floor, so values near zero are not held to an impossible relative
standard, and report the worst point with the value expected and the one got.
"""
import functools
import threading
from collections import OrderedDict

import numpy as np

from grader.checks.fail import Fail, differing, fmt
from grader.wire import Unsupported

TINY = 1e-300


def describe(value):
    """Name a value's type and shape the way a student would recognise it."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of length {len(value)}"
    return f"{type(value).__name__} {fmt(value)}"


def as_array(got, shape, what, allow_squeeze=False):
    """Convert a probe value to a finite float64 array of the given shape.

    Args: got: decoded probe value; shape: tuple (None entries match any
    size); what: how to name it in messages.
    Raises Fail(status='error') naming the type, shape or non-finite entry.
    """
    if isinstance(got, Unsupported) or isinstance(got, (dict, str)) or got is None:
        raise Fail(f"{what} should be a numeric array of shape {_shape_text(shape)}, "
                   f"got {describe(got)}.", status="error")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} should be a numeric array of shape {_shape_text(shape)}, "
                   f"got {describe(got)}.", status="error") from None
    if allow_squeeze and arr.size == np.prod([n for n in shape if n is not None]):
        arr = arr.reshape([n for n in shape])
    if arr.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, arr.shape)):
        raise Fail(f"{what} should have shape {_shape_text(shape)}, got shape {arr.shape}.",
                   status="error")
    check_finite(arr, what)
    return arr


def as_list(got, n, what):
    """The probe's list of n per-input results, or Fail(status='error')."""
    if not isinstance(got, list) or len(got) != n:
        raise Fail(f"expected {n} results from {what}, one per input; got {describe(got)}.",
                   status="error")
    return got


def as_scalar(got, what):
    """Convert a probe value to a finite Python float (0-d or size-1 arrays allowed)."""
    if isinstance(got, bool) or isinstance(got, Unsupported) or not isinstance(
            got, (int, float, np.ndarray)):
        raise Fail(f"{what} should be a float, got {describe(got)}.", status="error")
    arr = np.asarray(got, dtype=np.float64)
    if arr.size != 1:
        raise Fail(f"{what} should be a single float, got an array of shape {arr.shape}.",
                   status="error")
    check_finite(arr, what)
    return float(arr.reshape(()))


def check_finite(arr, what):
    """Raise Fail naming the first NaN or infinite entry of arr."""
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {idx}" if arr.ndim else ""
        raise Fail(f"{what} contains {arr[idx] if arr.ndim else float(arr)}{where}: "
                   "a NaN or inf usually means the iteration diverged (step size too "
                   "large) or a division by zero.", status="error")


def _shape_text(shape):
    return "(" + ", ".join("N" if n is None else str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def rel_err(got, expected, tiny=TINY):
    """Elementwise |got - expected| / max(|got|, |expected|, tiny)."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    return np.abs(got - expected) / np.maximum(np.maximum(np.abs(got), np.abs(expected)), tiny)


def close_mask(got, expected, rtol, atol):
    """True where got matches expected within rtol (relative) or atol (absolute)."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    return (np.abs(got - expected) <= atol) | (rel_err(got, expected) <= rtol)


def worst_index(got, expected, atol):
    """Index of the entry with the largest error beyond the absolute floor."""
    err = rel_err(got, expected) * (np.abs(np.asarray(got) - np.asarray(expected)) > atol)
    return np.unravel_index(int(np.argmax(err)), np.shape(err)) if np.ndim(err) else ()


def assert_all_close(got_list, expected_list, labels, what, rtol, atol, hints=(),
                     float32=False):
    """Compare a list of probe results with expected values, worst case first.

    Args:
        got_list, expected_list: sequences of arrays (or floats) already
            validated for shape.
        labels: where each item was evaluated, e.g. "x = 1.0".
        hints: known slips, (wrong_values_list, hint_text) pairs: when the
            submission matches a known wrong formula the hint names it
            (grader.checks.hints.match); or a callable returning them, called only
            when something is wrong (the slips' values cost as much as the right ones).
        float32: also recognise results right only to float32's precision
            (torch exercises).
    Raises Fail with the worst mismatch (printed with enough digits to differ)
    and the share of items that were right.
    """
    from grader.checks import hints as known
    ok = [bool(np.all(close_mask(g, e, rtol, atol))) for g, e in zip(got_list, expected_list)]
    if all(ok):
        return
    if callable(hints):
        hints = hints()
    bad = [i for i, good in enumerate(ok) if not good]
    i = max(bad, key=lambda k: float(np.max(rel_err(got_list[k], expected_list[k]))))
    g, e = np.asarray(got_list[i]), np.asarray(expected_list[i])
    idx = worst_index(g, e, atol)
    where = labels[i] + (f", index {tuple(int(n) for n in idx)}" if g.ndim else "")
    e_text, g_text = differing(e[idx] if g.ndim else float(e), g[idx] if g.ndim else float(g))
    text = (f"{what} at {where}: expected {e_text}, got {g_text} (relative error "
            f"{float(rel_err(g[idx], e[idx])):.2g}, tolerance {rtol:g}); "
            f"{len(bad)} of {len(ok)} inputs wrong.")
    hint = known.match(got_list, hints, atol=atol) or (
        known.float32_hint(got_list, expected_list, rtol) if float32 else None)
    if hint:
        text += " " + hint
    raise Fail(text)


def central_difference(f, x, h):
    """Central-difference gradient of a trusted scalar function f at x (float64).

    Args: f maps an array of x's shape to a float; h: step (error O(h^2),
    roundoff about eps/h, so h near 1e-6 balances the two).
    Returns an array of x's shape.
    """
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


# ------------------------------------------------------------------ memo
def memo(fn):
    """Memoise a trusted, pure function of numbers and float arrays (an expected value,
    say n_iters steps of exact gradient descent): every submission of a class gets the
    same inputs from course.yml, so the parent computes them once per worker, not once
    per submission and check. Arrays are keyed by dtype, shape and bytes. What it returns
    is frozen (arrays read-only, lists as tuples) so that no caller can change the value
    the next caller gets. Keeps the MEMO_SIZE most recently used values."""
    cache, lock = OrderedDict(), threading.Lock()

    @functools.wraps(fn)
    def cached(*args, **kwargs):
        key = _key((args, sorted(kwargs.items())))
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = _frozen(fn(*args, **kwargs))
        with lock:
            cache[key] = value
            while len(cache) > MEMO_SIZE:
                cache.popitem(last=False)
        return value
    cached.uncached = fn
    return cached


MEMO_SIZE = 256


def _key(value):
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(_key(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple((k, _key(v)) for k, v in sorted(value.items()))
    if isinstance(value, np.generic):
        return ("scalar", value.dtype.str, value.item())
    hash(value)   # anything else must be hashable as it is (floats, ints, str, None)
    return (type(value).__name__, value)


def _frozen(value):
    if isinstance(value, np.ndarray):
        value = value.copy()
        value.flags.writeable = False
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value
