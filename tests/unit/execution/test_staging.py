"""The child's check modules hold probes only: a submission cannot import expected values."""
import subprocess
import sys
import textwrap

from grader.judge.grade import grade
from grader.execution.staging import strip_module, strip_package
from grader.submission.load import load_py_file

from tests.conftest import ROOT

# Helpers that compute what a correct answer is: they must never reach the child.
EXPECTED_VALUE_HELPERS = {
    "hw1_autograd/decaying_cosine.py": ["f", "df"],
    "hw1_autograd/trid.py": ["trid", "trid_grad", "trid_argmin", "exact_gd"],
    "hw1_autograd/linreg_bias.py": ["neg_log_lik", "neg_log_lik_grad", "least_squares"],
    "hw1_autograd/nn_fit.py": ["forward", "loss", "flatten"],
}


def test_strip_keeps_probe_and_drops_verify_and_its_helpers():
    src = textwrap.dedent('''
        from x import register, CheckKind, helper_for_probe, secret
        def answer(v): return secret(v)
        def used_by_probe(v): return helper_for_probe(v)
        @register
        class K(CheckKind):
            assignment, exercise, name = "a", "e", "k"
            Params = object
            def cases(self, p, rng): return {"v": answer(1)}
            @staticmethod
            def probe(sub, cases): return used_by_probe(sub.answer(cases["v"]))
            def verify(self, p, cases, got): assert got == answer(cases["v"])
    ''')
    out = strip_module(src)
    assert "def probe" in out and "used_by_probe" in out and "helper_for_probe" in out
    for gone in ("def verify", "def cases", "def answer", "secret", "Params"):
        assert gone not in out, gone


def test_staged_check_modules_have_no_expected_values(tmp_path):
    import shutil
    shutil.copytree(ROOT / "grader", tmp_path / "grader",
                    ignore=shutil.ignore_patterns("__pycache__"))
    strip_package(tmp_path / "grader" / "checks")
    for rel, names in EXPECTED_VALUE_HELPERS.items():
        text = (tmp_path / "grader" / "checks" / rel).read_text()
        for name in names:
            assert f"def {name}(" not in text, f"{rel} still defines {name}"
    probe = ("import sys, inspect; sys.path.insert(0, sys.argv[1]); "
             "from grader.checks import registry; "
             "[registry.load_assignment_checks(a) for a in ('hw1_autograd', 'hw2_torch')]; "
             "bad = [k for k, c in registry._KINDS.items() if 'verify' in vars(c) "
             "or 'cases' in vars(c)]; print(len(registry._KINDS), bad)")
    out = subprocess.run([sys.executable, "-I", "-c", probe, str(tmp_path)], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout.split(" ", 1)
    assert int(out[0]) >= 20 and out[1].strip() == "[]"


def test_importing_the_graders_answers_earns_nothing(tmp_path, course):
    path = tmp_path / "hw1_autograd.py"
    path.write_text("from grader.checks.hw1_autograd.trid import trid_argmin\n"
                    "def minimize_trid(init_x_D):\n    return trid_argmin(len(init_x_D))\n")
    rep = grade(load_py_file(path), course, "hw1_autograd", exercises=["trid"])
    minimize = [c for c in rep.checks if c.name.startswith("minimize")]
    assert minimize and all(c.score == 0 for c in minimize)
    # The failed import is a load error: in the notes, which the MISSING row points at.
    assert any("trid_argmin" in n for n in rep.notes) and "see the notes" in minimize[0].message
