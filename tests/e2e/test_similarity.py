"""`grader similarity` on a class with planted copies (tests/similarity_corpus.py)."""
import itertools
import json
import subprocess
import sys

import pytest

from grader.bulk import similarity as sim
from tests import similarity_corpus as corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def planted(tmp_path_factory, course, root):
    """(class folder, planted pairs {(a, b): exercise or None}, independent names)."""
    required = set(sim.exercise_owners(root, "hw1_autograd"))
    students = corpus.independent_students()
    one_ex_own = students.pop("alt6")                 # its own linreg_bias only
    planted = {}
    students["copy_rename"] = {n: corpus.rename_and_recomment(s, required, seed=1)
                               for n, s in students["alt0"].items()}
    planted["alt0", "copy_rename"] = None
    students["copy_reorder"] = {n: corpus.reorder_and_reformat(s, seed=2)
                                for n, s in students["alt1"].items()}
    planted["alt1", "copy_reorder"] = None
    students["copy_notebook"] = {"hw1_autograd.ipynb": corpus.as_notebook(students["alt2"])}
    planted["alt2", "copy_notebook"] = None
    students["one_exercise"] = dict(one_ex_own, **{
        "nn_fit.py": corpus.rename_and_recomment(students["alt3"]["nn_fit.py"], required, 3)})
    planted["alt3", "one_exercise"] = "nn_fit"
    folder = corpus.write_class(tmp_path_factory.mktemp("class"), students)
    independent = [s for s in students if s not in {b for _a, b in planted}]
    return folder, planted, independent


@pytest.fixture(scope="module")
def result(planted, course):
    folder, _, _ = planted
    students, pairs, common, near_ref = sim.analyse(folder, course, "hw1_autograd")
    every = list(sim.every_pair(students, pairs))
    return students, {(p["a"], p["b"]): p for p in every}, common, near_ref


def test_every_planted_whole_copy_ranks_above_every_independent_pair(planted, result):
    _folder, plants, independent = planted
    _students, by_pair, _common, _near = result
    independent_top = max(by_pair[tuple(sorted(p))]["score"]
                          for p in itertools.combinations(independent, 2))
    for pair, exercise in plants.items():
        if exercise is None:
            assert by_pair[tuple(sorted(pair))]["score"] > independent_top, (pair, independent_top)


def test_one_copied_exercise_is_flagged_in_that_exercise(planted, result):
    _folder, plants, independent = planted
    _students, by_pair, _common, _near = result
    (a, b), exercise = next((p, e) for p, e in plants.items() if e)
    copied = by_pair[tuple(sorted((a, b)))]["exercises"][exercise]
    others = [by_pair[tuple(sorted(p))]["exercises"].get(exercise, 0.0)
              for p in itertools.combinations(independent, 2)]
    assert copied >= 0.5 and copied > max(others), (copied, max(others))
    assert by_pair[tuple(sorted((a, b)))]["max_exercise"] == copied


def test_independent_pairs_score_low(planted, result):
    _folder, _plants, independent = planted
    _students, by_pair, _common, _near = result
    scores = [by_pair[tuple(sorted(p))]["score"] for p in itertools.combinations(independent, 2)]
    assert max(scores) < 0.3, sorted(scores)[-5:]


def test_the_reference_copied_whole_is_named_and_left_out_of_pairs(tmp_path, course, root):
    ref = {p.name: p.read_text() for p in (root / "solutions" / "hw1_autograd").glob("*.py")
           if not p.name.startswith("_")}
    students = {"leak1": ref, "leak2": ref, "own": corpus.independent_students()["alt0"]}
    folder = corpus.write_class(tmp_path / "c", students)
    _students, pairs, _common, near_ref = sim.analyse(folder, course, "hw1_autograd")
    assert near_ref["leak1"] > 0.9 and near_ref["own"] < 0.5, near_ref


def test_cli_writes_every_pair_as_json_and_a_page(planted, tmp_path, root):
    folder, plants, _ = planted
    out, js = tmp_path / "r.html", tmp_path / "p.json"
    run = subprocess.run([sys.executable, "-m", "grader", "similarity", str(folder), "-a",
                          "hw1_autograd", "--json", str(js), "--out", str(out)],
                         capture_output=True, text=True, cwd=root, timeout=300)
    assert run.returncode == 0, run.stderr
    pairs = json.loads(js.read_text())
    n = len([p for p in folder.iterdir()])
    assert len(pairs) == n * (n - 1) // 2
    assert [p["score"] for p in pairs] == sorted((p["score"] for p in pairs), reverse=True)
    assert all(0.0 <= p["score"] <= 1.0 and set(p) >= {"a", "b", "score"} for p in pairs)
    page = out.read_text()
    assert "<mark>" in page and "<script" not in page and "http" not in page.split("</style>")[1]
    top = tuple(sorted((pairs[0]["a"], pairs[0]["b"])))
    assert top in {tuple(sorted(p)) for p in plants}
