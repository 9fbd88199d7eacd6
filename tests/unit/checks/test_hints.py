"""Known slips (grader/checks/hints.py): the one mechanism every check uses, and the
messages students get for the slips issue 13 lists, asserted on real mutants."""
import re

import numpy as np
import pytest

from grader.checks import hints
from grader.checks.numerics import assert_all_close
from grader.checks.fail import Fail


def test_match_names_the_first_slip_all_results_fit():
    got = [np.array([1.0, 2.0]), 3.0]
    slips = [([np.array([1.0, 2.5]), 3.0], "not this"), ([np.array([1.0, 2.0]), 3.0], "this")]
    assert hints.match(got, slips) == "this"
    assert hints.match(got, [([np.array([1.0, 2.0, 3.0]), 3.0], "shape differs")]) is None


def test_float32_precision_is_recognised_and_printed_with_digits_that_differ():
    expected = [np.array([0.0746841234567, 1.3])]
    got = [np.asarray(expected[0], dtype=np.float32).astype(np.float64)]
    with pytest.raises(Fail) as err:
        assert_all_close(got, expected, ["run 0"], "the loss", 1e-10, 1e-12, float32=True)
    text = err.value.message
    assert "float32" in text
    e_text, g_text = re.search(r"expected (\S+), got (\S+)", text).groups()
    assert e_text.rstrip(",") != g_text.rstrip(",")
    assert hints.float32_hint(got, expected, 1e-3) is None       # too loose to tell
    assert hints.float32_hint([expected[0] * 1.01], expected, 1e-10) is None


def test_aliasing_and_permutation_hints():
    rows = np.array([[3.0, 4.0]] * 5)
    assert "share memory" in hints.aliasing_hint(rows)
    assert hints.aliasing_hint(np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])) is None
    assert "bias is FIRST" in hints.permutation_hint([0.1, 4.2, -4.2], [4.2, -4.2, 0.1])
    assert hints.permutation_hint([4.2, -4.2, 0.1], [4.2, -4.2, 0.1]) is None


def test_update_count_slip_names_too_many_too_few_and_an_early_stop():
    path = [np.array([0.0, 0.0])]
    for _ in range(12):                       # a contraction: each step halves the distance
        path.append(0.5 * path[-1] + np.array([1.0, -2.0]))
    asked = [2, 10]

    def text(made):
        slip = hints.update_count_slip([path[k] for k in made], [path, path], asked, "n_iters")
        return slip and slip[1]

    assert text([2, 10]) is None                             # exact: not a slip
    assert text([2, 11]).startswith("One update too many")
    assert text([1, 10]).startswith("One update too few")
    assert "stopped early" in text([2, 6]) and "after 6 updates" in text([2, 6])
    assert hints.update_count_slip([path[2], path[10] + 0.1], [path, path], asked, "n") is None
    wrong, said = hints.update_count_slip([path[3], path[10]], [path, path], asked, "n_iters")
    assert hints.match([path[3], path[10]], [(wrong, said)]) == said


def test_torch_dtype_errors_map_to_the_dtype_hint():
    for text in ("RuntimeError: addmv input tensors must have the same dtype, but got Float",
                 "RuntimeError: expected m1 and m2 to have the same dtype, but got: double"):
        assert "float32 and float64 are mixed" in hints.error_hint(text)
    assert hints.error_hint("ZeroDivisionError: division by zero") == ""


# ------------------------------------------------------------------ on mutants
# (assignment, mutant, check, what its message must say, what it must not say)
MESSAGES = [
    ("hw2_torch", "ng_one_extra_step", "fit", "One update too many", "start point"),
    ("hw2_torch", "ng_one_extra_step", "fit_hidden", "One update too many", None),
    ("hw2_torch", "tg_float32", "iterates", "float32", None),
    ("hw2_torch", "mb_float32", "iterates", "float32", None),
    ("hw2_torch", "ln_float32", "fit_iterates", "float32", None),
    ("hw2_torch", "tg_float32_param", "iterates", "float32 and float64 are mixed", None),
    ("hw2_torch", "pl_history_aliases", "sgd_iterates", "row 0 (the parameters before any update)",
     "after update 0"),
    ("hw2_torch", "pl_history_aliases", "sgd_iterates", "share memory", None),
    ("hw2_torch", "pl_adam_mse", "adam_iterates", "Adam on the squared error", None),
    ("hw2_torch", "mb_losses_attached", "iterates", "attached to the autograd graph", None),
    ("hw2_torch", "tg_losses_attached", "iterates", "attached to the autograd graph", None),
    ("hw2_torch", "mb_shuffles_data_in_place", "iterates", "changed x_N2 in place", None),
    ("hw2_torch", "pl_same_order_every_epoch", "sgd_iterates", "same order", None),
    ("hw2_torch", "ng_torch_in_sibling_module", "by_hand", "torch.autograd.backward", None),
    ("hw2_torch", "tg_one_extra_update", "iterates", "One update too many", None),
    ("hw2_torch", "ln_early_stop", "fit_iterates", "stopped early", None),
    ("hw2_torch", "ln_newton_jump", "fit_iterates", "maximum-likelihood point itself", None),
    ("hw2_torch", "tg_intercept_column", "iterates_hidden", "second column replaced by ones",
     "Start from"),
    ("hw2_torch", "mb_not_detached", "full_batch", "still attached to the autograd graph", None),
    ("hw2_torch", "tg_writes_ones", "leaves_inputs", "changed x_N2 or y_N in place", None),
    ("hw1_autograd", "trid_gd_extra_final_update", "gd_iterates", "One update too many", None),
    ("hw1_autograd", "lr_bias_first_in_fit", "fit", "bias is FIRST", "Not converged"),
    ("hw1_autograd", "trid_inplace_history", "gd_iterates", "share memory", None),
    ("hw1_autograd", "lr_lstsq_getattr", "fit", "getattr(np.linalg, 'lstsq')", None),
    ("hw1_autograd", "lr_lstsq_sibling_module", "fit", "numpy.linalg.lstsq", None),
    ("hw1_autograd", "lr_qr_back_substitution", "fit", "np.linalg.qr", None),
    ("hw1_autograd", "lr_hand_gradient", "fit", "gradient(s) from autograd", None),
    ("hw1_autograd", "trid_closed_form", "minimize", "values of init_x_D", None),
    ("hw1_autograd", "trid_start_at_minimiser", "minimize", "START from init_x_D", None),
    ("hw1_autograd", "trid_hand_grad", "gradient", "not a gradient written by hand", None),
    ("hw1_autograd", "dc_hand_typed_grad", "gradient", "typed in by hand", None),
]


@pytest.fixture(scope="module")
def graded(course):
    """grade_mutant(assignment, name) -> {check name: CheckResult}: each mutant graded once,
    on the checks MESSAGES asserts on (not its whole exercise: trid's minimisations and the
    fits would cost seconds of CPU each and are asserted on by no row)."""
    from grader.execution.forkserver import ZygotePool
    pool, cache = ZygotePool(course), {}

    def grade_mutant(assignment, name):
        if (assignment, name) not in cache:
            from grader.authoring.selftest import discover, submission_for
            from grader.judge.grade import grade
            case = next(c for c in discover(course.root, assignment) if c.name == name)
            only = {(case.exercise, m[2]) for m in MESSAGES if m[:2] == (assignment, name)}
            rep = grade(submission_for(case, course), course, assignment,
                        exercises=[case.exercise], only=only,
                        session_factory=pool.session_factory(assignment))
            cache[(assignment, name)] = {c.name: c for c in rep.checks}
        return cache[(assignment, name)]
    yield grade_mutant
    pool.close()


@pytest.mark.slow
@pytest.mark.parametrize("assignment, mutant, check, says, never", MESSAGES,
                         ids=[f"{m[1]}-{m[2]}-{i}" for i, m in enumerate(MESSAGES)])
def test_mutant_message_names_the_slip(graded, assignment, mutant, check, says, never):
    result = graded(assignment, mutant)[check]
    assert result.score < result.max_score
    assert says in result.message, result.message
    if never:
        assert never not in result.message, result.message
    numbers = re.search(r"expected (-?[\d.e+-]+), got (-?[\d.e+-]+)", result.message)
    if numbers:  # numbers that differ are printed with enough digits to differ
        assert numbers.group(1) != numbers.group(2), result.message
