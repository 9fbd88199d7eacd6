"""Trusted expected values computed once per worker (numerics.memo) and hints computed only
on a failure (assert_all_close's lazy hints): cheaper, never different."""
import numpy as np
import pytest

from grader.checks.fail import Fail
from grader.checks.hw2_torch import logistic_nll, numpy_gradients
from grader.checks.numerics import assert_all_close, memo


def counted():
    calls = []

    @memo
    def steps(x, lr, n, path=False):
        calls.append((lr, n))
        out = [x * 0.0]
        for _ in range(n):
            out.append(out[-1] - lr * (out[-1] - x))
        return out if path else out[-1]
    return steps, calls


def test_the_same_inputs_are_computed_once_and_other_inputs_again():
    steps, calls = counted()
    x = np.linspace(0.0, 1.0, 5)
    first = steps(x, 0.1, 3)
    assert np.array_equal(steps(x.copy(), 0.1, 3), first) and len(calls) == 1
    steps(x + 1e-12, 0.1, 3)                 # other bytes: another value
    steps(x, 0.1, 4)
    steps(x, 0.1, 3, path=True)
    steps(x.astype(np.float32), 0.1, 3)      # another dtype, same numbers
    assert len(calls) == 5
    assert np.array_equal(first, steps.uncached(x, 0.1, 3))


def test_what_it_returns_cannot_be_changed_by_a_caller():
    steps, _ = counted()
    x = np.ones(3)
    value = steps(x, 0.5, 2)
    with pytest.raises(ValueError):
        value[0] = 99.0
    path = steps(x, 0.5, 2, path=True)
    assert isinstance(path, tuple) and not path[1].flags.writeable
    assert np.array_equal(steps(x, 0.5, 2), steps.uncached(x, 0.5, 2))


def test_hints_are_computed_only_when_a_result_is_wrong():
    asked = []

    def hints():
        asked.append(1)
        return [([np.array([2.0])], "You doubled it.")]
    assert_all_close([np.array([1.0])], [np.array([1.0])], ["x = 1"], "f", 1e-9, 1e-12, hints)
    assert asked == []
    with pytest.raises(Fail, match="You doubled it."):
        assert_all_close([np.array([2.0])], [np.array([1.0])], ["x = 1"], "f", 1e-9, 1e-12,
                         hints)
    assert asked == [1]


@pytest.mark.parametrize("fn, args", [
    (logistic_nll.exact_fit, (np.linspace(-2, 2, 20), (np.linspace(-2, 2, 20) > 0) * 1.0,
                              0.5, 40)),
    (numpy_gradients.exact_gd, (np.linspace(0, 2, 9), 3 * np.linspace(0, 2, 9) + 1, 0.1, 30)),
])
def test_the_memoised_expected_values_equal_a_fresh_computation(fn, args):
    assert np.array_equal(fn(*args), fn.uncached(*args))
    path = fn(*args[:3], args[3] + 1, path=True)
    assert np.array_equal(path[args[3]], fn.uncached(*args))
