"""Trivial answers (constants, zeros of the right shape, echoing the input) earn nothing."""
import pytest

from grader.judge.grade import grade
from grader.submission.load import load_py_file

from tests.conftest import ROOT  # noqa: F401

TRIVIAL_HW1 = '''
import numpy as np

def decaying_cosine(x): return 0.0
def decaying_cosine_grad(x): return 0.0
def trid(x_D): return 0.0
def trid_grad(x_D): return np.zeros_like(x_D)
def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    return init_x_D, dict(iter=list(range(n_iters)), f=[0.0] * n_iters,
                          x_D=[init_x_D] * n_iters, g_D=[init_x_D] * n_iters)
def minimize_trid(init_x_D): return init_x_D
def add_bias_column(x_ND): return np.zeros((len(x_ND), 2))
def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1): return 0.0
def fit_linreg_with_bias(x_ND, y_N, sigma=0.1): return np.zeros(np.shape(x_ND)[-1] + 1)
def make_nn_params_as_list_of_dicts(n_hiddens_per_layer_list=[5], n_dims_input=1,
        n_dims_output=1, weight_fill_func=np.zeros, bias_fill_func=np.zeros):
    return [dict(w=np.zeros((n_dims_input, n_dims_output)), b=np.zeros(n_dims_output))]
def predict_y_given_x_with_NN(x=None, nn_param_list=None, activation_func=None):
    return np.zeros(len(x))
def nn_regression_loss(nn_params, x_ND, y_N, sigma=0.1): return 0.0
def fit_nn(x_ND, y_N): return [dict(w=np.zeros((x_ND.shape[1], 1)), b=np.zeros(1))]
'''


@pytest.mark.parametrize("assignment, code", [("hw1_autograd", TRIVIAL_HW1)])
def test_trivial_answers_score_zero(tmp_path, course, assignment, code):
    path = tmp_path / "trivial.py"
    path.write_text(code)
    rep = grade(load_py_file(path), course, assignment)
    earned = [f"{c.exercise}.{c.name}" for c in rep.checks if c.score > 0]
    assert not earned, f"trivial answers earned points on {earned}"
