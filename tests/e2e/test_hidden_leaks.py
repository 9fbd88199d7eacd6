"""Issue 18, classes 3 and 6, in real children: hidden inputs reach no student under
`score` or `none`, and a child's forged frames cost the grader a bounded amount.

  bwrap mode (the default here): a submission remembers every input of the gradient
  checks and prints and raises them from every later call of trid. Before the fix one
  child served every check in course order, so trid's public checks showed the 25 hidden
  gradient inputs in every format.
  uid mode (simulated as in test_uid_mode.py): the submission saves the inputs to /tmp,
  crashes, and raises them while the restarted child loads. Before the fix the load error
  became a note, shown under --hidden-feedback none.
  Forged 'loaded' frames (bwrap): written to the control channel while loading, each with
  1000 new load errors; the real 'loaded' frame then breaks the protocol on the first probe.
  Before the fix every check restarted the child and every restart added 1000 notes.
  Stale frames (bwrap): before the fix a probe skipped any number of them, each up to 1 MB.
"""
import json
import os
import time
import uuid
from dataclasses import replace

import pytest
import yaml

from grader.config import load_course
from grader.execution.sandbox import bwrap_works
from grader.execution.session import session_factory
from grader.judge.grade import grade, plan_cases
from grader.reports import pages
from grader.reports.formats import FORMATS, render
from grader.submission.load import load_py_file
from grader.submission.locate import load_submission

from tests.conftest import ROOT
from tests.e2e.test_uid_mode import grade_cli, public, run_public  # noqa: F401 - fixtures
from tests.unit.execution.test_replies import WRITE_FRAME

A = "hw1_autograd"
EXERCISES = ["decaying_cosine", "trid"]   # the hidden gradient check precedes trid's public ones
REFERENCE = ROOT / "solutions" / A

# Remembers every gradient input; every later call of trid prints and raises them.
SNOOP_PRINT = '''
from decaying_cosine import decaying_cosine_grad as _grad
from trid import trid as _trid
_seen = []

def decaying_cosine_grad(x):
    _seen.append(repr(float(getattr(x, "_value", x))))
    return _grad(x)


def trid(x_D):
    if _seen:
        print("SEEN", *_seen)
        raise ValueError("SEEN " + " ".join(_seen))
    return _trid(x_D)
'''

# Saves every gradient input to /tmp; trid crashes the process once it has seen some; the
# restarted child raises what the file holds while it loads.
SNOOP_SAVE_CRASH = '''
import os as _os
from decaying_cosine import decaying_cosine_grad as _grad
from trid import trid as _trid
_FILE = "/tmp/.snoop-{TOKEN}"
_seen = []

def decaying_cosine_grad(x):
    _seen.append(repr(float(getattr(x, "_value", x))))
    with open(_FILE, "a") as fh:
        fh.write(_seen[-1] + " ")
    return _grad(x)


def trid(x_D):
    if _seen:
        _os._exit(3)
    return _trid(x_D)

if _os.path.exists(_FILE):
    raise ValueError("SEEN " + open(_FILE).read())
'''

# While loading: a forged 'loaded' frame with 1000 new load errors (about 1 MB).
FORGE_LOADED = WRITE_FRAME + '''
import json as _json, random as _random
_mark = _random.random()
_to_control(_json.dumps({"op": "loaded", "import_s": 0.0, "chunks": [
    {"name": "c%d" % i, "error": "E%r-%d " % (_mark, i) + "x" * 900} for i in range(1000)]}
    ).encode())
'''

# Every call of the gradient writes 20 stale replies (an old request's number) to the
# control channel before it answers: the parent would parse all of them.
STALE_FLOOD = WRITE_FRAME + '''
import json as _json, sys as _sys
from decaying_cosine import decaying_cosine_grad as _grad

def _current_id():
    frame = _sys._getframe()
    while frame is not None:
        req = frame.f_locals.get("request")
        if isinstance(req, dict) and "id" in req:
            return req["id"]
        frame = frame.f_back
    return None

def decaying_cosine_grad(x):
    if (_current_id() or 0) > 1:
        for _ in range(20):
            _to_control(_json.dumps({"op": "result", "ok": True, "id": 1, "value": 0.0}).encode())
    return _grad(x)
'''


def write_course(folder, **limits):
    """hw1 with decaying_cosine and trid only (trid's minimize checks dropped: slow),
    short limits."""
    data = yaml.safe_load((ROOT / "course.yml").read_text(encoding="utf-8"))
    hw1 = data["assignments"][A]
    hw1["exercises"] = {ex: hw1["exercises"][ex] for ex in EXERCISES}
    for ex in hw1["exercises"].values():
        ex["time_limit_s"] = 5
        ex["checks"] = [c for c in ex["checks"] if "minimize" not in c["name"]]
    data["assignments"] = {A: hw1}
    data["limits"].update(memory_mb=1024, output_kb=16, load_time_s=20, **limits)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "course.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def attack_folder(folder, code):
    """The reference decaying_cosine.py and trid.py, and `code` as zz_snoop.py."""
    folder.mkdir(parents=True)
    for ex in EXERCISES:
        (folder / f"{ex}.py").write_text((REFERENCE / f"{ex}.py").read_text())
    (folder / "zz_snoop.py").write_text(code)
    return folder


def namespace_submission(folder):
    """The folder's exercise files as modules, zz_snoop.py's chunks run in the namespace."""
    sub = load_submission(folder, order=EXERCISES)
    sub.chunks = [c for c in sub.chunks if "zz_snoop" not in c.name]
    sub.chunks += [replace(c, module="") for c in load_py_file(folder / "zz_snoop.py").chunks]
    return sub


def hidden_inputs(course):
    """repr of every hidden gradient input that is not also a public one."""
    def xs(check):
        return {repr(float(x)) for x in plan_cases(check)[1]["xs"]}
    checks = [c for c in course.checks_for(A, ["decaying_cosine"]) if c.kind.name == "gradient"]
    public = set().union(*(xs(c) for c in checks if not c.hidden))
    return set().union(*(xs(c) for c in checks if c.hidden)) - public


def student_texts(report, policy):
    texts = {fmt: render(report, fmt, policy) for fmt in FORMATS}
    texts["html"] = pages.to_html(report, "ann", (), policy)
    texts["md"] = pages.to_markdown(report, "ann", (), policy)
    return texts


needs_bwrap = pytest.mark.skipif(not bwrap_works(), reason="needs bubblewrap")


@pytest.mark.slow
@needs_bwrap
def test_bwrap_hidden_inputs_remembered_by_a_child_reach_no_student(tmp_path):
    course = load_course(write_course(tmp_path / "course"))
    secret = hidden_inputs(course)
    assert len(secret) >= 20
    sub = load_submission(attack_folder(tmp_path / "snoop", SNOOP_PRINT), order=EXERCISES)
    report = grade(sub, course, A, session_factory=session_factory(course.spec.limits))
    assert [c.status for c in report.checks if c.exercise == "decaying_cosine"] == ["passed"] * 4
    for policy in ("score", "none"):
        for fmt, text in student_texts(report, policy).items():
            leaked = [x for x in secret if x in text]
            assert not leaked, (policy, fmt, len(leaked))
    # The attack did work inside the hidden children: the instructor sees it.
    assert sum(x in render(report, "json", "message") for x in secret) >= 20


@pytest.mark.slow
def test_uid_mode_hidden_inputs_saved_and_raised_on_reload_stay_out_of_the_notes(
        public, run_public):  # noqa: F811 - fixtures of test_uid_mode
    course_path = write_course(public / "leak-course")
    secret = hidden_inputs(load_course(course_path))
    token = uuid.uuid4().hex
    folder = attack_folder(public / f"snoop-{token}",
                           SNOOP_SAVE_CRASH.replace("{TOKEN}", token))
    try:
        done, report = grade_cli(run_public, course_path, folder, "--hidden-feedback", "none")
        left = os.path.exists(f"/tmp/.snoop-{token}")
    finally:
        if os.path.exists(f"/tmp/.snoop-{token}"):
            os.unlink(f"/tmp/.snoop-{token}")
    assert report is not None, done.stderr[-2000:]
    assert any("unprivileged uid" in n for n in report["notes"])   # it did run in uid mode
    # What a child's uid wrote in the machine's /tmp goes with the uid: no later child of
    # this submission (public or hidden) and no later submission reads it.
    assert not left and not any("SEEN" in n for n in report["notes"])
    leaked = [x for x in secret if x in done.stdout]
    assert not leaked, f"{len(leaked)} hidden inputs in the report"


@pytest.mark.slow
@needs_bwrap
def test_forged_loaded_frames_cost_a_bounded_number_of_restarts_and_notes(tmp_path):
    course = load_course(write_course(tmp_path / "course"))
    limits = course.spec.limits
    sub = namespace_submission(attack_folder(tmp_path / "forger", FORGE_LOADED))
    factory, started = session_factory(limits), []

    def counted(request):
        started.append(1)
        return factory(request)
    cpu = time.process_time()
    report = grade(sub, course, A, session_factory=counted)
    cpu = time.process_time() - cpu
    size = len(json.dumps(report.to_dict()))
    print(f"forged 'loaded' frames: {len(started)} children, {len(report.notes)} notes, "
          f"{size} bytes of report, {cpu:.2f} s of the grader's CPU")
    assert len(started) <= limits.protocol_faults
    assert len(report.notes) <= limits.notes_max + 10 and size < 64 * 1024
    not_run = [c for c in report.checks if c.message.startswith("not run")]
    assert not_run and all(c.status == "error" and c.score == 0 for c in not_run)


@pytest.mark.slow
@needs_bwrap
def test_a_flood_of_stale_frames_is_a_protocol_fault(tmp_path):
    course = load_course(write_course(tmp_path / "course"))
    sub = load_submission(attack_folder(tmp_path / "flood", STALE_FLOOD), order=EXERCISES)
    report = grade(sub, course, A, exercises=["decaying_cosine"],
                   session_factory=session_factory(course.spec.limits))
    checks = {c.name: c for c in report.checks}
    assert checks["values"].status == "passed"
    assert checks["gradient"].status == "error" and "stale" in checks["gradient"].message
