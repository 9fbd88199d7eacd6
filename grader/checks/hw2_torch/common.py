"""Helpers shared by the hw2_torch checks.

Child side (inside probes): `torch_ready` imports torch (already loaded by
the assignment's `preload`), pins it to one thread and seeds it; `attempt`
calls a student function and turns tensors into numpy arrays, and an
exception into plain text, so that verify can name the torch pitfall.

Parent side: `unwrap` turns an attempt back into a value or a Fail with a
hint in the course's words. Nothing here imports torch in the parent.
"""
import numpy as np

from grader.checks import hints as known
from grader.checks.fail import Fail
from grader.checks.numerics import as_array, as_scalar

# ------------------------------------------------------------------ child side
def torch_ready(seed=0):
    """Import torch in the child, one thread, seeded: runs are deterministic."""
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(int(seed))
    return torch


def tensor(values, dtype="float64"):
    """A fresh torch tensor (child side) from a numpy array."""
    import torch
    return torch.tensor(np.asarray(values), dtype=getattr(torch, dtype))


def plain(value, _depth=0):
    """Tensors -> numpy arrays (detached), recursively through lists, tuples, dicts."""
    import torch
    if _depth > 8:
        return value
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, (list, tuple)):
        return [plain(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: plain(v, _depth + 1) for k, v in value.items()}
    return value


def attached(value, path="", _depth=0):
    """Paths ("[1][0]") of the tensors in value that are still attached to an autograd
    graph (requires_grad or a grad_fn): what `plain` detaches, recorded first."""
    import torch
    if _depth > 8:
        return []
    if isinstance(value, torch.Tensor):
        return [path] if value.requires_grad or value.grad_fn is not None else []
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in attached(v, f"{path}[{i}]", _depth + 1)]
    return []


def attempt(fn, *args, **kwargs):
    """{"value": plain result, "attached": paths of graph-attached tensors} or
    {"raised": text}. NotImplementedError (a stub) propagates so that the check
    counts as not attempted."""
    try:
        result = fn(*args, **kwargs)
        return {"value": plain(result), "attached": attached(result)[:50]}
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001 - reported to the parent as text
        return {"raised": describe(err)}


def describe(err):
    """'RuntimeError: ... (cell 3 line 12: `a -= lr * a.grad`)' when the child knows the files."""
    try:
        from grader.checks.student import chunk_names, describe_exception
        return describe_exception(err, chunk_names())
    except Exception:  # noqa: BLE001 - outside the child (unit tests)
        return f"{type(err).__name__}: {err}"[:2000]


# ----------------------------------------------------------------- parent side
def unwrap(got, what):
    """The value of an `attempt`, or Fail naming the error and the pitfall behind it."""
    if isinstance(got, dict) and "raised" in got:
        text = str(got["raised"])[:1500]
        hint = known.error_hint(text)
        raise Fail(f"{what} raised {text}." + (f" {hint}" if hint else ""), status="error")
    if not isinstance(got, dict) or "value" not in got:
        raise Fail(f"unexpected probe result for {what}", status="error")
    return got["value"]


def _attached_under(got, prefix):
    """The attached-tensor paths an `attempt` recorded under prefix ("[0]": item 0)."""
    paths = got.get("attached") if isinstance(got, dict) else None
    return [p for p in (paths or []) if isinstance(p, str) and p.startswith(prefix)]


def require_detached_result(got, what):
    """Fail if a_2 (item 0 of an `attempt`'s (a_2, losses) pair) is still attached to the
    autograd graph (requires grad, or has a grad_fn): both docstrings (torch_gd and
    minibatch_sgd) promise a detached tensor. The one home of that rule."""
    if _attached_under(got, "[0]"):
        raise Fail(f"{what}'s a_2 is still attached to the autograd graph (it requires grad "
                   "or carries a grad_fn): return a.detach(), as the docstring says. A caller "
                   "that keeps computing with it would extend your graph, and .numpy() on it "
                   "raises.")


def require_detached_losses(got, what):
    """Fail if the losses (item 1 of an `attempt`'s (a, losses) pair) hold tensors still
    attached to their graphs: the docstring asks for a list of floats."""
    bad = _attached_under(got, "[1]")
    if bad:
        raise Fail(f"{what}'s losses hold {len(bad)} tensor(s) still attached to the autograd "
                   f"graph (losses{bad[0][3:]} is the first): append loss.item(), a float, as "
                   "the docstring asks. Each attached loss keeps its whole graph alive (memory "
                   "grows with every update), and the notebook cannot plot such a list.")


def as_float64_array(got, shape, what, float32_hint=True):
    """as_array, but a float32 result is an error with the dtype policy as the hint."""
    if isinstance(got, np.ndarray) and got.dtype == np.float32 and float32_hint:
        raise Fail(f"{what} came back as float32; this assignment works in float64: create "
                   "parameters with dtype=torch.float64 and do not call .float().")
    return as_array(got, shape, what)


def as_loss_list(got, n, what):
    """A list of n losses (floats or 0-d tensors) -> float64 array of shape (n,)."""
    if isinstance(got, (list, tuple)):
        if len(got) != n:
            raise Fail(f"{what} should hold {n} losses, one per update; got {len(got)}.")
        return np.array([as_scalar(v, f"{what}[{i}]") for i, v in enumerate(got)])
    arr = as_array(got, (None,), what)
    if arr.size != n:
        raise Fail(f"{what} should hold {n} losses, one per update; got {arr.size}.")
    return arr


def pair(got, what):
    """A 2-tuple (a, b) of results."""
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise Fail(f"{what} should return a pair, got {type(got).__name__}"
                   + (f" of length {len(got)}" if isinstance(got, (list, tuple)) else "") + ".",
                   status="error")
    return got


def quiet(verify):
    """Decorator for verify: the grader's own what-if replays (a step uphill, a
    log of 0) may overflow; that is expected and must not print warnings."""
    import functools

    @functools.wraps(verify)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return verify(*args, **kwargs)
    return wrapper
