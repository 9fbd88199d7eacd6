"""`grader selftest`'s cache (authoring/selftest.CaseCache): a re-run reuses what did not
change, a course.yml edit regrades only the checks it changed, and nothing that a case's
result depends on (its files, the reference, the grader's code) can change unseen.

A small course in tmp_path: hw1_autograd with decaying_cosine alone, its reference and
stub, two mutants and one alternative from the corpus."""
import shutil

import pytest

from grader.authoring import selftest
from grader.authoring.selftest import CaseCache, format_table, run_selftest
from grader.config import load_course

from tests.conftest import ROOT, course_variant

A = "hw1_autograd"
MUTANTS = ("dc_sign_flip.py", "dc_grad_is_f.py")
ALTERNATIVES = ("dc_elementwise.py",)
pytestmark = pytest.mark.slow   # grades (cheap) cases in children


def small_course(folder, rtol=None):
    """The course root `folder` (made once) with course.yml written anew: `rtol`, the public
    gradient check's tolerance, when given."""
    def edit(raw):
        raw["assignments"] = {A: raw["assignments"][A]}
        for c in raw["assignments"][A]["exercises"]["decaying_cosine"]["checks"]:
            if c["name"] == "gradient" and rtol is not None:
                c["params"] = dict(c.get("params", {}), rtol=rtol)
    if not (folder / "solutions").exists():
        shutil.copytree(ROOT / "solutions" / A, folder / "solutions" / A)
        shutil.copytree(ROOT / "assignments" / A, folder / "assignments" / A)
        for kind, names in (("mutants", MUTANTS), ("alternatives", ALTERNATIVES)):
            (folder / "tests" / kind / A).mkdir(parents=True)
            for name in names:
                shutil.copy(ROOT / "tests" / kind / A / name, folder / "tests" / kind / A)
    return load_course(course_variant(folder, exercises=["decaying_cosine"], edit=edit))


@pytest.fixture(scope="module")
def graded_once(tmp_path_factory):
    """(folder, {name: Outcome}): the small course after one selftest run, cache written."""
    folder = tmp_path_factory.mktemp("course")
    return folder, run(small_course(folder))


@pytest.fixture
def copy(graded_once, tmp_path):
    """A copy of the graded course, cache included (its digests hold no absolute path)."""
    shutil.copytree(graded_once[0], tmp_path / "c")
    return tmp_path / "c"


def run(course, fresh=False):
    cache = CaseCache(course, reuse=not fresh)
    try:
        return {o.case.name: o for o in run_selftest(course, [A], workers=1, cache=cache)}
    finally:
        cache.close()


def test_a_rerun_reuses_every_case_and_gives_the_same_outcomes(graded_once, copy):
    course = small_course(copy)
    first = graded_once[1]
    assert all(o.ok for o in first.values()) and not any(o.reused for o in first.values())
    second = run(course)
    assert {n: o.reused for n, o in second.items()} == {n: "cached" for n in first}
    for name, o in first.items():
        assert (second[name].ok, second[name].score, second[name].lost) == (o.ok, o.score,
                                                                            o.lost)
    assert (copy / ".grader" / "selftest.sqlite").is_file()
    assert not any(o.reused for o in run(course, fresh=True).values())   # --fresh


def test_a_tolerance_edit_regrades_only_that_check_of_each_case(copy, monkeypatch):
    course = small_course(copy, rtol=1e-3)
    asked = []
    real = selftest.grade_case

    def spy(case, course, session_factory=None, reference=None, only=None):
        asked.append((case.name, only))
        return real(case, course, session_factory, reference, only)
    monkeypatch.setattr(selftest, "grade_case", spy)
    again = run(course)
    assert all(o.ok for o in again.values())
    n_checks = len(course.checks_for(A))
    assert {n: o.reused for n, o in again.items()} == {
        n: f"1 of {n_checks} checks regraded" for n in again if n != "stub"} | {
        "stub": f"1 of {n_checks} checks regraded"}
    assert sorted(asked) == sorted((n, {("decaying_cosine", "gradient")}) for n in again)
    assert (f"0 taken whole from the cache of an earlier run, {len(again)} with only the "
            "checks course.yml changed graded again") in format_table(list(again.values()))
    assert {n: o.reused for n, o in run(course).items()} == {n: "cached" for n in again}


def test_a_changed_case_file_or_reference_or_grader_code_is_graded_again(copy, monkeypatch):
    course = small_course(copy)
    mutant = copy / "tests" / "mutants" / A / MUTANTS[0]
    mutant.write_text(mutant.read_text() + "\n# edited\n")
    outcomes = run(course)
    assert not outcomes[mutant.stem].reused
    assert outcomes[MUTANTS[1][:-3]].reused == "cached"
    # the reference runs before every mutant and alternative: an edit there regrades them
    ref = copy / "solutions" / A / "decaying_cosine.py"
    ref.write_text(ref.read_text() + "\n# edited\n")
    assert not any(o.reused for n, o in run(course).items() if n != "stub")
    monkeypatch.setattr(selftest.store, "code_version", lambda: "another grader")
    assert not any(o.reused for o in run(course).values())


def test_a_case_that_failed_its_expectation_is_never_reused(copy):
    course = small_course(copy)
    alternative = copy / "tests" / "alternatives" / A / ALTERNATIVES[0]
    text = alternative.read_text()
    alternative.write_text(text + "\n\ndef decaying_cosine(x):\n    return x\n")
    assert not run(course)[alternative.stem].ok
    again = run(course)[alternative.stem]
    assert not again.ok and not again.reused
