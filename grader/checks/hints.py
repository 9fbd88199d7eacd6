"""Known slips: the one place that recognises a student's result as a known mistake
and names it in the course's words (parent side; plain numpy, no torch).

Every check uses it, public and hidden twins alike (a hidden check is the same
kind on other inputs, so it gets the same hints):
  match(got, slips)            numbers equal to a known-wrong formula -> its hint
  float32_hint(got, expected)  numbers right to float32's precision only
  aliasing_hint(rows)          history rows that are all one buffer
  update_count_slip(...)       GD end points reached with another number of updates
                               (one too many, one too few, a loop that stopped early)
  error_hint(text)             an exception text (autograd, torch) -> what it means
A slip is (wrong values, text): wrong values has one entry per input, each of
the shape of what the student returned (arrays, floats, or lists of them).
"""
import numpy as np

SLIP_RTOL = 1e-6   # a result "is" a known-wrong formula when this close to it
FLOAT32_EPS = float(np.finfo(np.float32).eps)

FLOAT32_TEXT = ("These numbers agree only to float32's precision (about 7 digits): keep every "
                "tensor float64 (dtype=torch.float64; torch.tensor([...]) and torch.zeros(...) "
                "give float32 by default, and .float() converts to it).")
DTYPE_TEXT = ("float32 and float64 are mixed: create parameters with dtype=torch.float64 "
              "(torch.tensor([...]) and torch.zeros(...) give float32 by default) and do not "
              "call .float().")

# (substring of an error message, what it means in the course's words)
ERROR_HINTS = [
    # autograd (hw1)
    ("ArrayBox", "autograd passes a traced ArrayBox through your function: use autograd.numpy "
                 "(ag_np.exp, ag_np.cos, ...) instead of math.* functions, float(...) or "
                 "in-place assignment into arrays."),
    ("Can't differentiate w.r.t. type", "autograd cannot differentiate with respect to "
                                        "integers: make inputs floats (e.g. 1.0, not 1)."),
    ("setting an array element with a sequence", "autograd cannot trace writes into an "
                                                 "array (x[i] = ...): build a new array."),
    # torch (hw2)
    ("leaf Variable that requires grad is being used in an in-place operation",
     "In-place update of a leaf that requires grad: wrap the update in `with torch.no_grad():`."),
    ("does not require grad and does not have a grad_fn",
     "The loss is not connected to a tensor with requires_grad=True: make the parameter an "
     "nn.Parameter (or call requires_grad_()), and stay in torch until after backward() "
     "(no .item(), .numpy() or float() inside the computation)."),
    ("backward through the graph a second time",
     "backward() ran twice through one graph: recompute the loss from the current "
     "parameters in every step."),
    ("Can't call numpy() on Tensor that requires grad",
     "Use .detach() before .numpy() (or .item() for a single number)."),
    ("must have the same dtype", DTYPE_TEXT),         # addmv / addmm / dot
    ("to have the same dtype", DTYPE_TEXT),           # expected m1 and m2 to have ...
    ("expected scalar type", DTYPE_TEXT),
    ("found dtype", DTYPE_TEXT),
    ("'NoneType' object has no attribute",
     "A `.grad` is None: call loss.backward() before reading gradients, and zero them with "
     ".grad.zero_() or model.zero_grad()."),
    ("unsupported operand type(s) for -=: 'Tensor' and 'NoneType'",
     "A `.grad` is None: call loss.backward() before the update."),
]


def error_hint(text):
    """The course-language meaning of a well-known error message, or ''."""
    return next((hint for needle, hint in ERROR_HINTS if needle in str(text)), "")


def _close(got, wrong, rtol, atol):
    try:
        g, w = np.asarray(got, dtype=np.float64), np.asarray(wrong, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if g.shape != w.shape:
        return False
    with np.errstate(all="ignore"):
        diff = np.abs(g - w)
        scale = np.maximum(np.abs(g), np.abs(w))
        return bool(np.all((diff <= atol) | (diff <= rtol * scale)))


def match(got_list, slips, rtol=SLIP_RTOL, atol=1e-12):
    """The text of the first slip whose values all results match, or None.

    Args: got_list: one result per input; slips: [(wrong values per input, text)], or a
    callable returning them (numerics.assert_all_close's lazy hints).
    """
    if callable(slips):
        slips = slips()
    for wrong_list, text in slips:
        if len(wrong_list) == len(got_list) and all(
                _close(g, w, rtol, atol) for g, w in zip(got_list, wrong_list)):
            return text
    return None


def float32_hint(got_list, expected_list, rtol):
    """FLOAT32_TEXT when the results miss the tolerance rtol but agree with the expected
    values to float32's precision (relative error a few float32 eps), else None."""
    if rtol >= 100 * FLOAT32_EPS:
        return None  # a tolerance that loose cannot tell float32 from float64
    errors = []
    for g, e in zip(got_list, expected_list):
        try:
            g, e = np.asarray(g, np.float64), np.asarray(e, np.float64)
        except (TypeError, ValueError):
            return None
        if g.shape != e.shape:
            return None
        with np.errstate(all="ignore"):
            scale = np.maximum(np.maximum(np.abs(g), np.abs(e)), 1e-300)
            errors.append(np.max(np.abs(g - e) / scale) if g.size else 0.0)
    worst = max(errors, default=0.0)
    return FLOAT32_TEXT if rtol < worst <= 1e3 * FLOAT32_EPS else None


def float32_values_hint(values):
    """FLOAT32_TEXT when every number is exactly a float32 value (what .item() of float32
    tensors gives; float64 results almost never are), unless all are small integers
    (exact in both), else None."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size < 2 or np.all((arr == np.round(arr)) & (np.abs(arr) < 2.0 ** 24)):
        return None
    return FLOAT32_TEXT if np.array_equal(arr.astype(np.float32).astype(np.float64), arr) else None


def updates_made(got, path, rtol=SLIP_RTOL, atol=1e-12):
    """k such that got equals path[k] (the exact point after k updates; the closest one
    when several are within tolerance), or None. got: an array or float; path: a sequence
    of points of got's shape, path[k] after k updates."""
    try:
        g = np.asarray(got, dtype=np.float64)
        points = [np.asarray(q, dtype=np.float64) for q in path]
    except (TypeError, ValueError):
        return None
    near = [k for k, q in enumerate(points) if _close(g, q, rtol, atol)]
    if not near:
        return None
    with np.errstate(all="ignore"):
        return min(near, key=lambda k: float(np.max(np.abs(g - points[k]), initial=0.0)))


def update_count_text(made, asked, what):
    """The hint for a gradient descent that made `made` updates where `asked` were asked;
    what names what sets their number ("n_iters")."""
    told = f"that is the point after {made} updates, and {what} = {asked} asks for {asked}"
    if made == asked + 1:
        return (f"One update too many: {told} (an extra update after the loop, or a loop "
                "that runs once more?).")
    if made == asked - 1:
        return f"One update too few: {told}; return the point after the last update."
    if made < asked:
        return (f"Gradient descent stopped early: {told}. Make every update, whatever the "
                "progress (no tolerance, no break, no shortcut for long runs).")
    return f"Too many updates: {told}."


def update_count_slip(got_list, paths, asked, what, rtol=SLIP_RTOL, atol=1e-12):
    """A slip for `match` when every run's result is exact gradient descent with some number
    of updates and at least one run's number is not the one asked for, else None.

    Args: got_list: one end point per run; paths[i][k]: run i's exact point after k
    updates (k = 0 .. at least asked[i] + 1); asked[i]: the updates run i asked for.
    Returns (wrong values per run, text naming the first run whose count is off)."""
    made = [updates_made(g, path, rtol, atol) for g, path in zip(got_list, paths)]
    if len(made) != len(got_list) or any(k is None for k in made):
        return None
    off = [i for i, (k, n) in enumerate(zip(made, asked)) if k != n]
    if not off:
        return None
    i = off[0]
    return ([np.asarray(path[k]) for path, k in zip(paths, made)],
            update_count_text(made[i], asked[i], what))


def aliasing_hint(rows, what="history"):
    """A hint when every row of a history is the same (the last) array: the rows are
    references to one buffer updated in place. rows: a 2D array or list of arrays."""
    try:
        arr = np.asarray(rows, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.ndim < 2 or arr.shape[0] < 3 or not np.all(arr == arr[-1]):
        return None
    return (f"every row of the {what} holds the same numbers, the final ones: the rows share "
            "memory with the parameters, which were updated in place. Store a copy each time "
            "(p.detach().clone(), .numpy().copy(), or x_D = x_D - step * g for a new array).")


def permutation_hint(got, expected, rtol=1e-3):
    """A hint when got holds the right numbers in another order (e.g. the bias first)."""
    got, expected = np.asarray(got, np.float64).ravel(), np.asarray(expected, np.float64).ravel()
    if got.shape != expected.shape or got.size < 2 or _close(got, expected, rtol, 1e-8):
        return None
    if not _close(np.sort(got), np.sort(expected), rtol, 1e-8):
        return None
    if _close(np.roll(got, -1), expected, rtol, 1e-8):
        return ("The numbers are right but in another order: the bias is FIRST in yours. The "
                "course puts it last, wtilde = [w_1, ..., w_D, b] (ones as the last column).")
    return "The numbers are right but in another order: check the order of the entries."
