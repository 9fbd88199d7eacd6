"""Plain-data encoding between the sandboxed child and the trusted parent.

The child turns whatever a student's function returned into JSON-able plain
data; the parent turns it back into floats, lists, dicts and numpy arrays of
a few numeric dtypes. Nothing is ever pickled, and the parent bounds sizes,
so a submission can only ever hand the parent numbers, strings and shapes.

Arrays travel as {"__nd__": base64 of little-endian bytes, "dtype", "shape"}:
exact (no decimal round trip) and about 10x faster than nested lists.
"""
import base64
import json
import math
import struct

import numpy as np

# Bound once at import, before any student code runs in the child: a
# submission that reassigns numpy attributes cannot change these names.
_ndarray = np.ndarray
_generic = np.generic
_float_value = float.__float__
_int_value = int.__index__
_DTYPES = {"float64": "<f8", "float32": "<f4", "int64": "<i8", "int32": "<i4", "bool": "|b1"}

_SPECIAL_FLOATS = ("nan", "inf", "-inf")  # what repr() gives for non-finite floats

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32
MAX_DIMS = 32
MAX_ITEMS = 2_000_000


class WireError(ValueError):
    """The data cannot be encoded or decoded as plain data."""


# ---------------------------------------------------------------- child side
def encode(value, _depth=0):
    """Turn a value into JSON-able plain data; unknown types become a marker.

    A marker {"__unsupported__": "<type name>"} lets the verifier say "your
    function returned a <type>" instead of failing the whole probe.
    """
    if _depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    if value is None or type(value) in (bool, str):
        return value
    if isinstance(value, bool) or isinstance(value, _generic) and value.dtype == np.bool_:
        return bool(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _int_value(value)
    if isinstance(value, float):
        return _encode_float(_float_value(value))
    if isinstance(value, _generic):
        return encode(_ndarray.view(np.asarray(value), _ndarray).reshape(()), _depth)
    if isinstance(value, _ndarray):
        return _encode_array(_ndarray.view(value, _ndarray))
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, _depth + 1), encode(v, _depth + 1)]
                             for k, v in list(value.items())]}
    if isinstance(value, (list, tuple)):
        return [encode(v, _depth + 1) for v in list(value)]
    return {"__unsupported__": _type_name(value)}


def _encode_float(x):
    # JSON has no NaN/inf; keep them as markers so verifiers can name them.
    if math.isfinite(x):
        return x
    return {"__float__": repr(x)}


def _encode_array(arr):
    name = arr.dtype.name
    if name not in _DTYPES:
        if arr.dtype.kind in "fiub":
            arr, name = arr.astype(np.float64), "float64"
        else:
            return {"__unsupported__": f"numpy array of dtype {name}"}
    raw = np.ascontiguousarray(arr, dtype=_DTYPES[name]).tobytes()
    return {"__nd__": base64.b64encode(raw).decode("ascii"), "dtype": name,
            "shape": [int(n) for n in arr.shape]}


def _type_name(value):
    cls = type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


# --------------------------------------------------------------- parent side
class Unsupported:
    """Stands for a value the child could not send as plain data."""

    def __init__(self, type_name):
        self.type_name = str(type_name)[:200]

    def __repr__(self):
        return f"<{self.type_name}>"


def decode(data):
    """Inverse of `encode`, applied to json.loads output; never executes anything."""
    budget = [MAX_ITEMS]
    return _decode(data, budget, 0)


def _decode(data, budget, depth):
    if depth > MAX_DEPTH + 2:
        raise WireError("value is nested too deeply")
    budget[0] -= 1
    if budget[0] < 0:
        raise WireError("value has too many items")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [_decode(v, budget, depth + 1) for v in data]
    if isinstance(data, dict):
        if "__nd__" in data:
            return _decode_array(data, budget)
        if "__float__" in data:
            if data["__float__"] not in _SPECIAL_FLOATS:
                raise WireError("malformed float marker")
            return float(data["__float__"])
        if "__dict__" in data:
            pairs = data["__dict__"]
            if not isinstance(pairs, list) or not all(
                    isinstance(p, list) and len(p) == 2 for p in pairs):
                raise WireError("malformed dict")
            return {_hashable(_decode(k, budget, depth + 1)): _decode(v, budget, depth + 1)
                    for k, v in pairs}
        if "__unsupported__" in data:
            name = data["__unsupported__"]
            return Unsupported(name if isinstance(name, str) else "an unknown type")
    raise WireError(f"unexpected item of type {type(data).__name__}")


def _hashable(key):
    return key if isinstance(key, (str, int, float, bool, type(None))) else repr(key)


def _decode_array(data, budget):
    dtype = data.get("dtype")
    dtype = _DTYPES.get(dtype) if isinstance(dtype, str) else None
    shape = data.get("shape")
    if dtype is None or not isinstance(shape, list) or not all(
            isinstance(n, int) and 0 <= n for n in shape):
        raise WireError("malformed array")
    if len(shape) > MAX_DIMS or not isinstance(data["__nd__"], str):
        raise WireError("malformed array")
    count = math.prod(shape)
    budget[0] -= count
    if budget[0] < 0 or count * np.dtype(dtype).itemsize != len(data["__nd__"]) // 4 * 3 - (
            data["__nd__"][-2:].count("=")):
        raise WireError("array size does not match its shape")
    try:
        raw = base64.b64decode(data["__nd__"], validate=True)
    except ValueError:
        raise WireError("malformed array data") from None
    if count * np.dtype(dtype).itemsize != len(raw):
        raise WireError("array size does not match its shape")
    return np.frombuffer(raw, dtype=dtype).astype(dtype[1:] if dtype[0] != "|" else bool).reshape(shape)


# ------------------------------------------------------------------ framing
def write_message(fd_file, obj):
    """Write one length-prefixed JSON message to a binary file object."""
    body = json.dumps(obj, allow_nan=False).encode("utf-8")
    fd_file.write(struct.pack(">Q", len(body)) + body)
    fd_file.flush()


def read_message(fd_file, limit=MAX_MESSAGE_BYTES):
    """Read one length-prefixed JSON message; raise EOFError at end of stream."""
    header = _read_exact(fd_file, 8)
    (length,) = struct.unpack(">Q", header)
    if length > limit:
        raise WireError(f"message of {length} bytes exceeds the limit of {limit}")
    return json.loads(_read_exact(fd_file, length).decode("utf-8"))


def _read_exact(fd_file, n):
    chunks, got = [], 0
    while got < n:
        chunk = fd_file.read(n - got)
        if not chunk:
            raise EOFError("stream closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
