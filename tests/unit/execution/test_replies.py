"""What the child sends is checked the same way under every session type.

Student code can write to the control socket (it is an fd like any other). A
malformed frame costs the check that was running; a forged frame is no better
than returning the same values; neither costs another check (issue 9).
"""
import textwrap
from dataclasses import replace

import pytest

from grader.config import load_course
from grader.execution.forkserver import ZygotePool
from grader.execution.session import session_factory
from grader.judge.grade import grade
from grader.submission.load import load_py_file
from grader.submission.locate import load_submission

from tests.conftest import ROOT, course_variant

A, EX = "hw1_autograd", "decaying_cosine"

# Finds the control socket among the child's fds and writes one frame to it.
WRITE_FRAME = '''
import os as _os, stat as _stat, struct as _struct

def _to_control(body):
    for fd in range(3, 256):
        try:
            if _stat.S_ISSOCK(_os.fstat(fd).st_mode):
                _os.write(fd, _struct.pack(">Q", len(body)) + body)
                return
        except OSError:
            pass
'''

MALFORMED = WRITE_FRAME + '''
import numpy as _np

def decaying_cosine(x):
    if float(getattr(x, "_value", x)) == -7.5:  # an input of the public checks only
        _to_control(b"{not json")
    return _np.exp(-x / 10) * _np.cos(x)
'''

FORGED = WRITE_FRAME + '''
import json as _json, sys as _sys
import numpy as _np
_forged = []

def _current_id():
    frame = _sys._getframe()
    while frame is not None:
        req = frame.f_locals.get("request")
        if isinstance(req, dict) and "id" in req:
            return req["id"]
        frame = frame.f_back
    return None

def decaying_cosine(x):
    if not _forged:
        _forged.append(1)
        reply = {"op": "result", "ok": True, "id": _current_id(), "value": [123.0] * 50}
        _to_control(_json.dumps(reply).encode())
    return _np.exp(-x / 10) * _np.cos(x)
'''


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return load_course(course_variant(tmp_path_factory.mktemp("course"), exercises=[EX],
                                      time_limit_s=5, alone=True, assignment=A))


@pytest.fixture(scope="module", params=["fresh child", "fork server"])
def factory(request, course):
    if request.param == "fresh child":
        yield session_factory(course.spec.limits)
        return
    pool = ZygotePool(course)
    yield pool.session_factory(A)
    pool.close()


def graded(tmp_path, course, factory, code):
    sub = load_submission(ROOT / "solutions" / A, order=[EX])
    extra = tmp_path / "zz_extra.py"
    extra.write_text(textwrap.dedent(code))
    sub.chunks += [replace(c, module="") for c in load_py_file(extra).chunks]  # in the namespace
    rep = grade(sub, course, A, session_factory=factory)
    return {c.name: c for c in rep.checks}


def test_a_malformed_frame_costs_only_the_checks_that_call_the_function(
        tmp_path, course, factory):
    checks = graded(tmp_path, course, factory, MALFORMED)
    # values and autograd_traceable call the student's decaying_cosine at x = -7.5;
    # the gradient checks call decaying_cosine_grad (whose module has its own
    # decaying_cosine), and run after the faults, in restarted children.
    for name in ("values", "autograd_traceable"):
        assert checks[name].status == "error" and checks[name].score == 0
        assert "malformed" in checks[name].message
    for name in ("gradient", "gradient_hidden"):
        assert checks[name].status == "passed", checks[name].message


def test_a_forged_frame_counts_as_the_answer_it_claims_and_costs_nothing_else(
        tmp_path, course, factory):
    checks = graded(tmp_path, course, factory, FORGED)
    # The first probe (values) gets the forged, wrong answer: as if the function
    # had returned it. The genuine reply it displaced must not answer a later check.
    assert checks["values"].score == 0
    for name in ("gradient", "autograd_traceable", "gradient_hidden"):
        assert checks[name].status == "passed", (name, checks[name].message)
