"""CheckResult.to_dict is the documented JSON format, built shallowly (asdict's deep copy was
~0.5 ms a check, paid for every report written): the same keys, order and values as asdict
without cpu_s, and no list shared with the result; Report.to_dict(checks=False) is the same
report without its checks (what the results database keeps beside its checks table)."""
from dataclasses import asdict

from grader.judge.results import CheckResult, Report


def result(**kw):
    return CheckResult("trid", "values", 4.0, 2.5, "failed", "got 3, expected 2", **kw)


def test_check_to_dict_is_asdict_without_cpu():
    c = result(hidden=True, duration=0.25, output="hi\n", cpu_s=1.5, flags=["solver"],
               after_hidden=True)
    expected = {k: v for k, v in asdict(c).items() if k != "cpu_s"}
    got = c.to_dict()
    assert got == expected and list(got) == list(expected)
    got["flags"].append("x")
    assert c.flags == ["solver"]  # a copy: writing the dict never changes the result


def test_report_without_checks_is_the_same_report_minus_checks():
    rep = Report("hw1_autograd", [result(duration=0.123456), result()], notes=["n"],
                 files=["trid.py"])
    whole, head = rep.to_dict(), rep.to_dict(checks=False)
    assert "checks" not in head and head == {k: v for k, v in whole.items() if k != "checks"}
    assert whole["checks"][0]["duration"] == 0.1235 and list(whole["checks"][0])[-1] == "duration"
    assert Report.from_dict(whole).to_dict() == whole
