"""Unit and property tests of the trusted comparison helpers used by verifiers."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks.fail import Fail
from grader.checks.numerics import (as_array, as_scalar, assert_all_close, central_difference,
                             close_mask, rel_err)
from grader.wire import Unsupported

from tests.conftest import examples

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(finite, finite)
def test_rel_err_is_symmetric_and_bounded(a, b):
    assert rel_err(a, b) == rel_err(b, a)
    assert 0.0 <= rel_err(a, b) <= 2.0


@given(finite)
def test_value_is_close_to_itself(a):
    assert close_mask(a, a, rtol=0.0, atol=0.0)


@given(st.floats(min_value=1e-3, max_value=1e6), st.floats(min_value=1e-6, max_value=0.5))
def test_relative_perturbation_beyond_tolerance_fails(a, eps):
    assert not close_mask(a * (1 + 2 * eps), a, rtol=eps / 2, atol=0.0)


@given(st.lists(finite, min_size=1, max_size=8))
def test_assert_all_close_accepts_equal_lists(values):
    assert_all_close(values, list(values), [f"#{i}" for i in range(len(values))], "v", 1e-12, 0)


def test_assert_all_close_reports_worst_point_and_hint():
    got, expected = [1.0, 2.5, 3.0], [1.0, 2.0, 3.0]
    with pytest.raises(Fail) as err:
        assert_all_close(got, expected, ["x = 0", "x = 1", "x = 2"], "f(x)", 1e-8, 1e-12,
                         hints=[([1.0, 2.5, 3.0], "did you forget the product rule?")])
    text = err.value.message
    assert "x = 1" in text and "expected 2" in text and "got 2.5" in text
    assert "1 of 3 inputs wrong" in text and "product rule" in text


def test_absolute_floor_near_zero():
    assert close_mask(1e-14, 0.0, rtol=1e-10, atol=1e-12)
    assert not close_mask(1e-10, 0.0, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("bad, needle", [
    ([1.0, 2.0], "shape (3,)"),
    ("text", "numeric array"),
    (Unsupported("foo.Bar"), "foo.Bar"),
    (np.array([1.0, np.nan, 2.0]), "NaN"),
    (None, "numeric array"),
])
def test_as_array_names_the_problem(bad, needle):
    with pytest.raises(Fail) as err:
        as_array(bad, (3,), "g")
    assert needle in err.value.message and err.value.status == "error"


def test_as_scalar_rejects_bool_and_arrays():
    for bad in (True, np.zeros(3), "1.0"):
        with pytest.raises(Fail):
            as_scalar(bad, "f")
    assert as_scalar(np.array([2.5]), "f") == 2.5


@settings(max_examples=examples(25))
@given(st.lists(st.floats(min_value=-3, max_value=3), min_size=1, max_size=5))
def test_central_difference_of_quadratic_is_exact(xs):
    x = np.array(xs)
    grad = central_difference(lambda v: float(np.sum(v ** 2)), x, 1e-6)
    assert np.allclose(grad, 2 * x, rtol=1e-6, atol=1e-6)
