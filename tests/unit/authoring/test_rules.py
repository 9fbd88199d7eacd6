"""The docstring-rule-to-check table covers every check of course.yml and is up to date."""
from grader.authoring import rules
from grader.authoring.selftest import Case, Outcome, format_accuracy, kill_counts, uncaught_checks

from tests.conftest import ROOT


def test_every_check_exercises_a_listed_rule_and_every_rule_names_real_checks(course):
    assert rules.problems(course) == []


def test_checks_doc_is_up_to_date(course):
    assert rules.build_rules_doc(ROOT, course, write=False) == [], "run `grader build`"


def test_kill_counts_and_uncaught_checks(course):
    mutant = Case("hw1_autograd", "mutant", "m", ROOT, "trid")
    outcomes = [Outcome(mutant, 1, 2, True, "caught by values", ("values", "values_hidden")),
                Outcome(mutant, 1, 2, True, "caught by values", ("values",))]
    counts = kill_counts(outcomes, course)
    assert counts[("hw1_autograd", "trid", "values")] == 2
    assert counts[("hw1_autograd", "trid", "values_hidden")] == 1
    assert counts[("hw1_autograd", "decaying_cosine", "values")] == 0
    missing = uncaught_checks(outcomes, course)
    assert ("hw1_autograd", "trid", "minimize") in missing
    assert ("hw1_autograd", "trid", "values") not in missing
    text = format_accuracy(outcomes, course)
    assert "hw1_autograd.trid.values" in text and "NO REASON GIVEN" in text
    assert "trid(x) for any D >= 2, vectorised: values (2), values_hidden (1)" in text
