"""Time limits with headroom: per-check limits from course.yml, the selftest's CPU table
(fake timings), and the CPU line a check's feedback gets when it used much of its limit."""
import pytest
import yaml

from grader.authoring.selftest import (HEADROOM_FACTOR, MUTANT_TIME_LIMIT_S, Case, CheckUse,
                                       Outcome, case_time_limits, format_headroom, headroom,
                                       judge_case)
from grader.config import ConfigError, load_course
from grader.execution.cputime import cpu_note
from grader.execution.inprocess import InProcessSession
from grader.judge.grade import Grading, grade
from grader.judge.results import CheckResult, Report
from grader.reports.text import to_text
from grader.submission.load import Submission

from tests.conftest import ROOT

A = "hw1_autograd"


def _course_with(tmp_path, edit):
    data = yaml.safe_load((ROOT / "course.yml").read_text(encoding="utf-8"))
    edit(data["assignments"][A]["exercises"])
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_course(path)


def _outcome(role, name, exercise, uses):
    """An Outcome whose checks used `uses` = {(exercise, check): (cpu_s, status)}."""
    out = Outcome(Case(A, role, name, ROOT, exercise), 1, 1, True)
    out.cpu = {k: CheckUse(cpu, status) for k, (cpu, status) in uses.items()}
    return out


@pytest.fixture
def course30(tmp_path):
    """The course with every trid check under the exercise's own limit of 30 CPU-s."""
    def edit(exercises):
        exercises["trid"]["time_limit_s"] = 30
        for check in exercises["trid"]["checks"]:
            check.pop("time_limit_s", None)
    return _course_with(tmp_path, edit)


@pytest.fixture
def timings():
    """trid (limit 30 in course.yml): the reference is fast everywhere; one alternative is
    slow on minimize_hidden (12 s: 2.5x under 30), another times out on gd_iterates; an
    alternative of another exercise is slower still but must not count for trid."""
    ref = _outcome("reference", "reference", None, {
        ("trid", "values"): (0.01, "passed"), ("trid", "minimize_hidden"): (1.5, "passed"),
        ("trid", "gd_iterates"): (0.02, "passed")})
    slow = _outcome("alternative", "trid_slow", "trid", {
        ("trid", "values"): (0.5, "passed"), ("trid", "minimize_hidden"): (12.0, "passed"),
        ("trid", "gd_iterates"): (0.1, "passed")})
    stuck = _outcome("alternative", "trid_stuck", "trid", {
        ("trid", "values"): (0.02, "passed"), ("trid", "gd_iterates"): (None, "timeout")})
    other = _outcome("alternative", "dc_other", "decaying_cosine", {
        ("trid", "values"): (29.0, "passed")})
    mutant = _outcome("mutant", "trid_bug", "trid", {("trid", "values"): (29.0, "passed")})
    return [ref, slow, stuck, other, mutant]


def test_headroom_flags_a_check_whose_slowest_correct_solution_is_under_3x(course30, timings):
    rows = {r.check: r for r in headroom(timings, course30) if r.exercise == "trid"}
    hidden = rows["minimize_hidden"]
    assert (hidden.limit_s, hidden.reference_s, hidden.slowest_s, hidden.slowest) == \
        (30, 1.5, 12.0, "trid_slow")
    assert hidden.ratio == pytest.approx(2.5) and hidden.flagged
    # Only the reference and trid's own alternatives count: not a mutant, not dc_other.
    assert (rows["values"].slowest, rows["values"].slowest_s) == ("trid_slow", 0.5)
    assert not rows["values"].flagged and rows["values"].ratio == pytest.approx(60)
    # A timeout used at least its whole limit, whatever the meter read.
    assert rows["gd_iterates"].slowest == "trid_stuck" and rows["gd_iterates"].flagged
    # Checks nothing measured are left out.
    assert "minimize" not in rows and HEADROOM_FACTOR == 3


def test_headroom_table_names_the_low_checks(course30, timings):
    text = format_headroom(headroom(timings, course30), load=3.5)
    line = next(l for l in text.splitlines() if "trid.minimize_hidden" in l)
    assert line.split()[1:] == ["30", "1.50", "12.00", "2.5x", "trid_slow", "LOW"]
    assert "LOW" not in next(l for l in text.splitlines() if "trid.values " in l)
    assert "load average 3.5" in text
    assert text.splitlines()[-1] == ("headroom: 2 of 3 checks under 3x: trid.gd_iterates, "
                                     "trid.minimize_hidden")


def test_judge_case_records_each_checks_cpu():
    case = Case(A, "alternative", "alt", ROOT, "trid")
    rep = Report(A, checks=[CheckResult("trid", "values", 1, 1, "passed", cpu_s=0.25),
                            CheckResult("trid", "minimize", 2, 0, "timeout", cpu_s=None)])
    out = judge_case(case, rep)
    assert out.cpu == {("trid", "values"): CheckUse(0.25, "passed"),
                       ("trid", "minimize"): CheckUse(None, "timeout")}


def test_a_check_may_have_its_own_time_limit(tmp_path):
    def edit(exercises):
        next(c for c in exercises["trid"]["checks"] if c["name"] == "minimize_hidden")[
            "time_limit_s"] = 90
        exercises["trid"]["checks"][0]["time_limit_s"] = 5     # values
    course = _course_with(tmp_path, edit)
    limits = {c.name: c.time_limit_s for c in course.checks_for(A, ["trid"])}
    ex_limit = course.assignment(A).exercises["trid"].time_limit_s
    assert limits["minimize_hidden"] == 90 and limits["values"] == 5
    assert limits["gradient"] == ex_limit
    # The selftest's mutant limit caps a check's own limit, never raises it.
    mutant = Case(A, "mutant", "m", ROOT, "trid")
    grading = Grading(Submission(origin="test"), course, A, session_factory=lambda r: None,
                      time_limits=case_time_limits(mutant, course))
    by_name = {c.name: c for c in course.checks_for(A, ["trid"])}
    assert grading.time_limit(by_name["values"]) == 5
    assert grading.time_limit(by_name["minimize_hidden"]) == MUTANT_TIME_LIMIT_S


def test_a_checks_own_limit_is_validated_with_its_key(tmp_path):
    def edit(exercises):
        exercises["trid"]["checks"][0]["time_limit_s"] = 0
    with pytest.raises(ConfigError, match=r"trid\.checks\[0\]\.time_limit_s"):
        _course_with(tmp_path, edit)


def test_cpu_note_only_past_a_third_of_the_limit():
    assert cpu_note(None, 30) == "" and cpu_note(9.9, 30) == "" and cpu_note(10.0, 30) == ""
    assert cpu_note(12.34, 30).startswith("This check used 12.3 of 30 CPU-s")


class MeteredSession(InProcessSession):
    """The reference's functions in this process, with a meter that reads `cpu_s` per probe
    (as PipeSession's last_cpu_s, from the parent's own meter)."""
    cpu_s = 0.0

    def probe(self, request, budget):
        reply = super().probe(request, budget)
        self.last_cpu_s = self.cpu_s
        return reply


def _reference_namespace():
    namespace = {}
    code = (ROOT / "solutions" / A / "decaying_cosine.py").read_text(encoding="utf-8")
    exec(compile(code, "decaying_cosine.py", "exec"), namespace)
    return namespace


def test_feedback_says_how_much_cpu_a_check_used_against_its_limit(tmp_path):
    """decaying_cosine's limit is 10 CPU-s: 4 s is over a third of it, and a passed check's
    message and the text report say so; under the check's own 30 s limit it is not."""
    def edit(exercises):
        exercises["decaying_cosine"]["time_limit_s"] = 10
        exercises["decaying_cosine"]["checks"][1]["time_limit_s"] = 30   # gradient
    course = _course_with(tmp_path, edit)
    namespace = _reference_namespace()
    MeteredSession.cpu_s = 4.0
    rep = grade(Submission(origin="test"), course, A, exercises=["decaying_cosine"],
                include_hidden=False,
                session_factory=lambda req: MeteredSession(req, namespace))
    by_name = {c.name: c for c in rep.checks}
    assert by_name["values"].status == "passed"
    assert by_name["values"].message.startswith("This check used 4.0 of 10 CPU-s")
    assert by_name["gradient"].status == "passed" and by_name["gradient"].message == ""
    assert "used 4.0 of 10 CPU-s" in to_text(rep)


def test_a_self_check_in_the_notebook_says_so_too(tmp_path, monkeypatch):
    """check() runs in the student's kernel (InProcessSession): it reads the kernel's own CPU
    clock around the probe (faked here: 2 CPU-s per probe, against a 3 s limit), and its
    table shows the line on a passed check."""
    import types

    from grader.execution import inprocess
    from grader.notebook import _Table, run_checks
    readings = iter([100.0, 102.0])
    monkeypatch.setattr(inprocess, "time", types.SimpleNamespace(
        process_time=lambda: next(readings)))

    def edit(exercises):
        exercises["decaying_cosine"]["time_limit_s"] = 3
    course = _course_with(tmp_path, edit)
    rep = run_checks(_reference_namespace(), A, exercises=["decaying_cosine"],
                     check_names=["values"], course=course)
    (values,) = rep.checks
    assert values.status == "passed" and "used 2.0 of 3 CPU-s" in values.message, values.message
    assert "used 2.0 of 3 CPU-s" in _Table(rep, to_text(rep), False)._repr_html_()
