"""The plain-data channel: exact round trips, markers for odd values, bounded decoding."""
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from grader import wire


def roundtrip(value):
    return wire.decode(json.loads(json.dumps(wire.encode(value))))


@given(arrays(np.float64, st.tuples(st.integers(0, 4), st.integers(0, 4))))
def test_float_arrays_round_trip_bit_for_bit(arr):
    back = roundtrip(arr)
    assert back.shape == arr.shape and back.tobytes() == arr.tobytes()


def test_nested_structures_and_specials():
    value = {"a": [1, 2.5, None, True], "x": np.arange(3), "nan": float("nan"), "t": (1, 2)}
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True]
    assert back["x"].tolist() == [0, 1, 2]
    assert np.isnan(back["nan"]) and back["t"] == [1, 2]


def test_lying_objects_become_plain_values_or_markers():
    class Liar(float):
        def __eq__(self, other):
            return True

    class Weird:
        def __eq__(self, other):
            return True

    back = roundtrip([Liar(3.0), Weird()])
    assert type(back[0]) is float and back[0] == 3.0
    assert isinstance(back[1], wire.Unsupported) and "Weird" in back[1].type_name


def test_ndarray_subclass_is_sent_as_its_data():
    class Sneaky(np.ndarray):
        def __eq__(self, other):
            return np.ones(np.shape(self), dtype=bool)

    arr = np.arange(4.0).view(Sneaky)
    back = roundtrip(arr)
    assert type(back) is np.ndarray and back.tolist() == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.parametrize("payload", [
    {"__nd__": "AAAA", "dtype": "object", "shape": [1]},
    {"__nd__": "AAAAAAAAAAA=", "dtype": "float64", "shape": [5]},
    {"__nd__": "!!!", "dtype": "float64", "shape": [1]},
    {"__nd__": "", "dtype": "float64", "shape": [-1]},
    {"unexpected": 1},
])
def test_malformed_payloads_raise_wire_error(payload):
    with pytest.raises((wire.WireError, ValueError)):
        wire.decode(payload)


def test_decoding_is_bounded():
    deep = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.decode(deep)
