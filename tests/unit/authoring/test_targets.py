"""What full marks need is written into stubs and notebooks from course.yml, never by hand."""
import yaml

from grader.authoring.targets import PLACEHOLDER, expand, exercise_targets, markdown
from grader.config import load_course

from tests.conftest import ROOT


def _course_with(tmp_path, mutate):
    data = yaml.safe_load((ROOT / "course.yml").read_text())
    mutate(data)
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(data))
    return load_course(path)


def test_every_exercise_docstring_asks_for_its_targets():
    for src in sorted((ROOT / "solutions").glob("*/*.py")):
        if not src.name.startswith("_"):
            assert PLACEHOLDER.search(src.read_text()), f"{src.name} has no {{{{ full_marks }}}} line"


def test_targets_follow_course_yml(tmp_path, course):
    text = (ROOT / "solutions" / "hw1_autograd" / "nn_fit.py").read_text()
    assert "R^2 >= 0.99" in expand(text, course, "hw1_autograd", "nn_fit")
    assert "{{ full_marks }}" not in expand(text, course, "hw1_autograd", "nn_fit")

    def stricter(d):
        fit = d["assignments"]["hw1_autograd"]["exercises"]["nn_fit"]["checks"][4]
        fit["params"] = {**fit.get("params", {}), "full_r2": 0.995}
        d["assignments"]["hw1_autograd"]["exercises"]["nn_fit"]["time_limit_s"] = 45
    changed = expand(text, _course_with(tmp_path, stricter), "hw1_autograd", "nn_fit")
    assert "R^2 >= 0.995" in changed and "time limit: 45 s" in changed


def test_targets_name_public_checks_only_and_the_committed_stub_holds_them(course):
    lines = exercise_targets(course, "hw1_autograd", "trid")
    assert any(l.startswith("minimize (2 points)") and "1e-05" in l for l in lines)
    assert not any("_hidden" in l for l in lines)
    stub = (ROOT / "assignments" / "hw1_autograd" / "trid.py").read_text()
    assert "within 1e-05 of the minimiser" in stub
    notebook = (ROOT / "assignments" / "hw1_autograd" / "hw1_autograd.ipynb").read_text()
    assert markdown(course, "hw1_autograd", "trid").splitlines()[0] in notebook


def test_a_public_checks_own_time_limit_is_named_and_a_hidden_ones_is_not(tmp_path):
    def own_limits(d):
        checks = d["assignments"]["hw1_autograd"]["exercises"]["trid"]["checks"]
        for c in checks:
            c.pop("time_limit_s", None)
        next(c for c in checks if c["name"] == "minimize")["time_limit_s"] = 25
        next(c for c in checks if c["name"] == "minimize_hidden")["time_limit_s"] = 77
    lines = exercise_targets(_course_with(tmp_path, own_limits), "hw1_autograd", "trid")
    limit = next(l for l in lines if l.startswith("time limit"))
    assert limit.endswith("s per check (minimize: 25 s).") and "77" not in "".join(lines)
