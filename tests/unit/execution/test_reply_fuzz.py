"""Any JSON the child sends is decoded to plain data or refused, never an exception
(issue 18, class 5): `channel.clean_loaded` / `clean_result` and `wire.decode`, the
parent's only readers of a reply, fuzzed with hypothesis (no child, no sandbox)."""
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import wire
from grader.execution.channel import ChildFault, clean_loaded, clean_result
from grader.status import CHILD_STATUSES

from tests.conftest import examples

FUZZ = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = st.sampled_from(["__nd__", "dtype", "shape", "__float__", "__dict__", "__unsupported__",
                        "op", "ok", "error", "status", "message", "chunks", "name", "id",
                        "value", "import_s"]) | st.text(max_size=6)
SCALAR = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats()
          | st.sampled_from(["float64", "int32", "|b1", "nan", "-inf", "AAAA", "AA==", "loaded",
                             "result", *CHILD_STATUSES]) | st.text(max_size=12))
JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(KEYS, inner, max_size=5), max_leaves=25)
# Near-misses of the real markers reach deeper into the decoder than random JSON does.
ARRAY = st.fixed_dictionaries({"__nd__": st.sampled_from(["", "AAAAAAAAAAA=", "!!", "AA=="])
                               | JSON, "dtype": JSON, "shape": st.lists(
                                   st.integers(-2, 3) | JSON, max_size=3) | JSON})
MARKER = ARRAY | st.fixed_dictionaries({"__float__": JSON}) | st.fixed_dictionaries(
    {"__dict__": st.lists(st.lists(JSON, max_size=3), max_size=3) | JSON}) \
    | st.fixed_dictionaries({"__unsupported__": JSON})
VALUE = st.recursive(JSON | MARKER, lambda inner: st.lists(inner, max_size=3), max_leaves=8)


def as_received(value):
    """What Channel.receive hands on: the value after a JSON round trip."""
    return json.loads(json.dumps(value))


@FUZZ
@given(VALUE)
def test_wire_decode_gives_plain_data_or_a_wire_error(value):
    try:
        out = wire.decode(as_received(value))
    except wire.WireError:
        return
    stack = [out]
    while stack:   # nothing but plain data and the Unsupported marker comes out
        x = stack.pop()
        assert x is None or isinstance(x, (bool, int, float, str, np.ndarray, wire.Unsupported,
                                           list, dict)), type(x)
        stack.extend(x if isinstance(x, list) else x.values() if isinstance(x, dict) else [])


LOADED = st.fixed_dictionaries({"op": st.just("loaded") | JSON}, optional={
    "chunks": st.lists(st.fixed_dictionaries({}, optional={"name": JSON, "error": JSON})
                       | JSON, max_size=4) | JSON, "import_s": JSON})
RESULT = st.fixed_dictionaries({"op": st.just("result") | JSON, "ok": st.booleans() | JSON},
                               optional={"value": VALUE, "error": st.fixed_dictionaries(
                                   {}, optional={"status": JSON, "message": JSON}) | JSON})


@FUZZ
@given(LOADED | st.dictionaries(KEYS, JSON, max_size=4))
def test_a_loaded_reply_is_cleaned_or_a_child_fault(reply):
    try:
        out = clean_loaded(as_received(reply))
    except ChildFault as fault:
        assert fault.status == "error" and fault.message
        return
    assert set(out) == {"op", "chunks", "import_s"} and isinstance(out["import_s"], float)
    for c in out["chunks"]:
        assert isinstance(c["name"], str) and len(c["name"]) <= 200
        assert c["error"] is None or (isinstance(c["error"], str) and len(c["error"]) <= 2000)


@FUZZ
@given(RESULT | st.dictionaries(KEYS, JSON, max_size=4))
def test_a_result_reply_is_cleaned_or_a_child_fault(reply):
    try:
        out = clean_result(as_received(reply))
    except ChildFault as fault:
        assert fault.status == "error" and fault.message
        return
    if out["ok"]:
        try:
            wire.decode(out["value"])
        except wire.WireError:
            pass
    else:
        assert out["error"]["status"] in CHILD_STATUSES
        assert isinstance(out["error"]["message"], str) and len(out["error"]["message"]) <= 2000


def test_the_near_misses_that_used_to_escape():
    for bad in ({"__nd__": "AA==", "dtype": ["float64"], "shape": [1]},
                {"__unsupported__": [[[]]]}):
        try:
            out = wire.decode(bad)
        except wire.WireError:
            continue
        assert isinstance(out, wire.Unsupported) and out.type_name == "an unknown type"
