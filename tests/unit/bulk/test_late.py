"""The late policy, its extension file, nbgrader's timestamps and the gradebook's rows."""
import csv
import io
import os

import yaml

from grader.bulk import late
from grader.bulk.gradeall import Graded, Item, missing_from_roster
from grader.config import load_course
from grader.judge.results import CheckResult, Report
from grader.reports import gradebook

from tests.conftest import ROOT


def course_with_late(tmp_path):
    data = yaml.safe_load((ROOT / "course.yml").read_text())
    data["assignments"] = {"hw1_autograd": data["assignments"]["hw1_autograd"]}
    data["assignments"]["hw1_autograd"]["due"] = "2026-10-01T23:59:00"
    data["late"] = {"grace_minutes": 15, "per": "day", "penalty": 0.1, "cap": 0.3,
                    "extensions": "extensions.csv"}
    (tmp_path / "extensions.csv").write_text("student_id,assignment,hours\nbea,hw1_autograd,48\n"
                                             "bea,hw2_torch,100\n")
    (tmp_path / "course.yml").write_text(yaml.safe_dump(data))
    return load_course(tmp_path / "course.yml")


def graded(student, when, score=10.0):
    rep = Report("hw1_autograd", checks=[CheckResult("trid", "values", 20.0, score, "failed")])
    return Graded(Item(student, ROOT, timestamp=when), rep)


def test_penalty_per_started_day_with_grace_cap_and_extension(tmp_path):
    course = course_with_late(tmp_path)
    policy = late.LatePolicy.from_course(course, "hw1_autograd")
    rows = [graded("ann", "2026-10-02 00:10:00.000000"),   # within the grace
            graded("bob", "2026-10-02 01:00:00.000000"),   # 1 started day
            graded("cy", "2026-10-09 01:00:00.000000"),    # 8 days: the cap
            graded("bea", "2026-10-03 12:00:00.000000")]   # 48 h extension: on time
    late.apply(rows, policy)
    assert [g.penalty for g in rows] == [0.0, 1.0, 3.0, 0.0]
    assert any(n.startswith("late policy") and "10%" in n for n in rows[1].report.notes)
    book = list(csv.DictReader(io.StringIO(gradebook.to_csv(
        rows, course, "hw1_autograd", late.nbgrader_time(policy.due)))))
    bob = next(r for r in book if r["student_id"] == "bob")
    assert (bob["raw_score"], bob["late_submission_penalty"], bob["score"]) == ("10.0", "1.0", "9.0")
    assert bob["duedate"] == "2026-10-01 23:59:00.000000" and "late policy" in bob["note"]


def test_roster_student_without_submission_gets_a_zero_row(tmp_path):
    course = course_with_late(tmp_path)
    rows = [graded("ann", "")]
    rows += missing_from_roster(rows, {"ann": {}, "zed": {}}, course, "hw1_autograd")
    book = {r["student_id"]: r for r in csv.DictReader(io.StringIO(
        gradebook.to_csv(rows, course, "hw1_autograd")))}
    assert set(book) == {"ann", "zed"}
    assert book["zed"]["score"] == "0.0" and "no submission" in book["zed"]["note"]


def test_timestamps_in_nbgrader_format(tmp_path):
    assert late.nbgrader_time(late.parse_time("2026-01-01 09:00:00.5 UTC")) == \
        "2026-01-01 09:00:00.500000"
    assert late.nbgrader_time(late.parse_time("2026-01-01 10:00:00 Europe/Berlin")) == \
        "2026-01-01 09:00:00.000000"
    f = tmp_path / "ann.py"
    f.write_text("x = 1")
    os.utime(f, (1_700_000_000, 1_700_000_000))
    assert late.nbgrader_time(late.submitted_at(f)) == "2023-11-14 22:13:20.000000"
