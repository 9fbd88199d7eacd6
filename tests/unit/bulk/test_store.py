"""grader/bulk/store.py: the results database, without grading anything."""
import os
import json
import sqlite3

import pytest

from grader.bulk import store
from grader.judge.results import CheckResult, Report


def report(score_values=1.0, score_grad=2.0):
    return Report("hw1_autograd", checks=[
        CheckResult("decaying_cosine", "values", 1, score_values, "passed" if score_values else
                    "failed", "msg", False, 0.1, "printed", 0.05),
        CheckResult("decaying_cosine", "gradient", 2, score_grad, "passed", "", True, 0.2)],
        notes=["graded: a.py"], files=["a.py"])


@pytest.fixture
def db(tmp_path):
    d = store.open_db(tmp_path / "sub" / "grades.sqlite")
    yield d
    d.close()


def test_every_grading_is_kept_and_reuse_needs_the_same_files_and_code(db):
    a = db.record("hw1", "ann", report(), digest="d1", code_version="c1", course_digest="y1",
                  settings={("decaying_cosine", "values"): "s1"})
    db.record("hw1", "ann", report(0.0), digest="d2", code_version="c1", course_digest="y1")
    db.record("hw1", "ann", report(), digest="d2", code_version="c1", course_digest="y1",
              status=store.NOT_GRADED)
    assert db.reusable("hw1", "ann", "d1", "c1")["id"] == a
    assert db.reusable("hw1", "ann", "d1", "c2") is None          # other grader code
    assert db.reusable("hw1", "ann", "d2", "c1")["score"] == 2.0  # never a 'not graded' one
    rep, plots, settings = db.report(a)
    assert rep.to_dict() == report().to_dict() and plots == []
    assert settings[("decaying_cosine", "values")] == "s1"
    hist = db.history("hw1", "ann")
    assert [h["digest"] for h in hist] == ["d1", "d2", "d2"]
    assert hist[1]["checks"][0] == {"exercise": "decaying_cosine", "name": "values",
                                    "score": 0.0, "max_score": 1.0, "status": "failed"}
    assert [r["status"] for r in db.latest("hw1")] == [store.NOT_GRADED]
    assert db.integrity() == "ok"


def test_schema_version_and_a_newer_database_is_refused(tmp_path, db):
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA
    path = tmp_path / "new.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {store.SCHEMA + 1}")
    with pytest.raises(RuntimeError, match="newer grader"):
        store.ResultsDB(path)
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(RuntimeError, match="not a results database"):
        store.open_db(tmp_path / "junk.sqlite")


def test_the_json_cache_of_earlier_releases_is_imported_once(tmp_path, db):
    old = tmp_path / "grades.csv.cache.json"
    old.write_text(json.dumps({"version": "x", "entries": {
        "bob": {"digest": "d", "assignment": "hw1", "report": report().to_dict(),
                "plots": [], "seconds": 1.5, "crashed": False},
        "eve": {"broken": True}}}))
    assert store.import_json_cache(db, old) == 1
    assert not old.exists() and store.import_json_cache(db, old) == 0
    (g,) = db.history("hw1", "bob")
    assert g["score"] == 3.0 and g["code_version"] == "imported"
    assert db.reusable("hw1", "bob", "d", store.code_version()) is None


def test_check_settings_change_only_for_the_edited_check(tmp_path, root):
    import yaml
    from grader.config import load_course
    raw = yaml.safe_load((root / "course.yml").read_text())
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(raw))
    before = store.check_settings(load_course(path), "hw1_autograd")
    checks = raw["assignments"]["hw1_autograd"]["exercises"]["trid"]["checks"]
    checks[0]["params"] = {"rtol": 1e-6}
    path.write_text(yaml.safe_dump(raw))
    after = store.check_settings(load_course(path), "hw1_autograd")
    assert {k for k in before if before[k] != after[k]} == {("trid", checks[0]["name"])}


def test_canvas_export_layout():
    from grader.cli.results import canvas_csv
    rows = [{"student": "ann", "score": 34.0, "max_score": 36.0, "status": "graded"},
            {"student": "=cmd", "score": 0.0, "max_score": 36.0, "status": "not graded"}]
    text = canvas_csv("Autograd", "123", rows, {"ann": {"first_name": "Ann", "last_name": "Lee"}})
    lines = text.splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,Autograd (123)"
    assert lines[1] == "Points Possible,,,,,36"
    assert lines[2] == '"Lee, Ann",,ann,ann,,34'
    assert lines[3].endswith(",") and not lines[3].startswith("=")  # blank, not a zero


def test_history_text_names_what_changed():
    from grader.cli.results import history_text
    g1 = {"graded_at": "t1", "score": 3, "max_score": 5, "status": "graded", "digest": "aaaa",
          "course_digest": "y", "code_version": "c",
          "checks": [{"exercise": "e", "name": "n", "score": 0, "status": "failed"}]}
    g2 = dict(g1, graded_at="t2", score=5, course_digest="z",
              checks=[{"exercise": "e", "name": "n", "score": 2, "status": "passed"}])
    text = history_text([g1, g2])
    assert "course.yml changed" in text and "e.n: 0 failed -> 2 passed" in text


def test_text_a_child_controls_never_fails_the_insert(db):
    """A lone surrogate (raise ValueError('\\udcff') in the child; a folder name that is
    not UTF-8) must not stop grade-all: its byte is stored as \\xNN."""
    rep = report()
    rep.checks[0].message = "bad \udcff byte"
    rep.checks[0].output = "out \ud800"
    rep.checks[0].flags = ["flag \udfff"]
    gid = db.record("hw1", "stud\udcffent", rep, digest="d", code_version="c", course_digest="y")
    back, _plots, _settings = db.report(gid)
    message, flag = back.checks[0].message, back.checks[0].flags[0]
    assert message == "bad \\xff byte"
    assert flag == "flag \\udfff"
    assert back.checks[0].output == "out \\ud800"
    assert db.reusable("hw1", "stud\udcffent", "d", "c")["id"] == gid


def test_two_students_whose_names_are_not_utf8_stay_two_students(db):
    """Folder names b'stud\\xffent' and b'stud\\xfeent' used to collapse into one
    U+FFFD id, so the second grading replaced the first in the gradebook."""
    a, b = os.fsdecode(b"stud\xffent"), os.fsdecode(b"stud\xfeent")
    ga = db.record("hw1", a, report(), digest="d", code_version="c", course_digest="y")
    gb = db.record("hw1", b, report(), digest="d", code_version="c", course_digest="y")
    assert ga != gb
    assert db.reusable("hw1", a, "d", "c")["id"] == ga
    assert db.reusable("hw1", b, "d", "c")["id"] == gb


def test_flags_and_after_hidden_come_back_from_the_database(db):
    rep = report()
    rep.checks[0].flags, rep.checks[1].after_hidden = ["closed form: lstsq"], True
    back, _, _ = db.report(db.record("hw1", "ann", rep, digest="d", code_version="c",
                                     course_digest="y"))
    assert back.checks[0].flags == ["closed form: lstsq"] and back.checks[1].after_hidden


def test_a_checks_own_time_limit_is_part_of_its_settings(tmp_path, root):
    import yaml
    from grader.config import load_course
    raw = yaml.safe_load((root / "course.yml").read_text())
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(raw))
    before = store.check_settings(load_course(path), "hw1_autograd")
    check = raw["assignments"]["hw1_autograd"]["exercises"]["trid"]["checks"][0]
    check["time_limit_s"] = 7
    path.write_text(yaml.safe_dump(raw))
    after = store.check_settings(load_course(path), "hw1_autograd")
    assert {k for k in before if before[k] != after[k]} == {("trid", check["name"])}


def test_canvas_export_applies_the_late_policy_like_the_gradebook(tmp_path, root):
    import yaml
    from click.testing import CliRunner
    from grader.cli import cli
    raw = yaml.safe_load((root / "course.yml").read_text())
    raw["late"] = {"per": "day", "penalty": 0.25, "cap": 0.5}
    course = tmp_path / "course.yml"
    course.write_text(yaml.safe_dump(raw))
    db = store.open_db(tmp_path / "g.sqlite")
    for student, when in (("early", "2026-01-01 00:00:00.000000"),
                          ("late", "2026-01-02 12:00:00.000000")):   # 1.5 days: 2 started
        db.record("hw1_autograd", student, report(), digest="d", code_version="c",
                  course_digest="y", submitted_at=when)
    db.close()
    res = CliRunner().invoke(cli, ["--course", str(course), "export", "-a", "hw1_autograd",
                                   "--db", str(tmp_path / "g.sqlite"),
                                   "--duedate", "2026-01-01T00:00:00Z"], obj={})
    assert res.exit_code == 0, res.output
    rows = {line.split(",")[2]: line.split(",")[-1] for line in res.output.splitlines()[2:]}
    assert rows == {"early": "3", "late": "1.5"}   # 3 points, minus 50%


def test_class_check_stats_are_those_of_each_students_newest_grading(db):
    """ResultsDB.check_stats aggregates in SQLite; here the same figures computed naively in
    Python from every check row (older gradings left out) must agree: counts, the commonest
    failure first lines, CPU median and p95 by linear interpolation."""
    import random
    import statistics
    rng = random.Random(3)
    messages = ["expected 1.0, got 2.0\nsecond line", "", "x" * 300, "wrong shape (3,)"]
    newest = {}
    for i in range(60):
        student = f"s{rng.randrange(25):02d}"
        rep = report()
        for c in rep.checks:
            c.status = rng.choice(["passed", "failed", "error", "timeout"])
            c.message = "" if c.status == "passed" else rng.choice(messages)
            c.cpu_s = None if rng.random() < 0.1 else round(rng.uniform(0, 3), 3)
        db.record("hw1", student, rep, digest=str(i), code_version="c", course_digest="y")
        newest[student] = rep
    db.record("hw2", "s00", report(), digest="other", code_version="c", course_digest="y")

    def quantile(vals, q):
        vals = sorted(vals)
        pos = q * (len(vals) - 1)
        lo, hi = int(pos), min(int(pos) + 1, len(vals) - 1)
        return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)

    got = db.check_stats("hw1")
    assert [(s["exercise"], s["name"]) for s in got] == [
        ("decaying_cosine", "values"), ("decaying_cosine", "gradient")]
    for k, s in enumerate(got):
        rows = [rep.checks[k] for rep in newest.values()]
        assert s["n"] == len(newest) and s["passed"] == sum(c.status == "passed" for c in rows)
        cpu = [c.cpu_s for c in rows if c.cpu_s is not None]
        assert s["cpu_median"] == pytest.approx(statistics.median(cpu))
        assert s["cpu_p95"] == pytest.approx(quantile(cpu, 0.95))
        firsts = [(c.message or c.status).splitlines()[0][:160]
                  for c in rows if c.status != "passed"]
        counts = sorted({(-firsts.count(m), m) for m in firsts})[:3]
        assert s["failures"] == [(m, -n) for n, m in counts]
    assert db.check_stats("nothing") == []
