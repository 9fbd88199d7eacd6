"""Nothing a child learns from a hidden check reaches a student under `score` or `none`,
and what a child sends costs the parent a bounded amount (issue 18, classes 3 and 6).

The children here are fakes that do what an attacker's submission does, without a
process: each remembers every input it is sent, keeps it where later children of the
same submission can read it (`World.disk`: the machine's /tmp in uid mode), and says it
everywhere it can: in its output, its error messages and its load errors. The real
attacks, in real children, are in tests/e2e/test_hidden_leaks.py.
"""
import hashlib
import json

import pytest

from grader.execution.channel import ChildFault, ProtocolFault
from grader.judge.grade import Grading, Notes, grade, plan_cases
from grader.judge.results import Report
from grader.reports import pages
from grader.reports.formats import FORMATS, render
from grader.submission.load import Submission

A = "hw1_autograd"
EXERCISES = ["decaying_cosine", "trid"]   # decaying_cosine's hidden check precedes trid's public


def marker(encoded_cases):
    """A short token for one check's inputs (what the fake child leaks)."""
    digest = hashlib.sha1(json.dumps(encoded_cases, sort_keys=True).encode()).hexdigest()
    return "SEEN" + digest[:10]


class World:
    """What a submission's children share beyond their own process."""

    def __init__(self, crash_after_hidden=False, hidden_markers=()):
        self.disk, self.children = [], []
        self.crash_after_hidden, self.hidden_markers = crash_after_hidden, set(hidden_markers)


class SnoopChild:
    """A session whose 'child' leaks every input it has seen or found on the disk."""

    def __init__(self, world, load_request):
        self.world, self.memory, self.out, self.served = world, [], "", []
        world.children.append(self)

    def start(self):
        found = " ".join(self.world.disk)
        self.out += f"at load I found {found}\n"
        return {"op": "loaded", "import_s": 0.0,
                "chunks": [{"name": "a.py", "error": f"ValueError: {found}" if found else None}]}

    def probe(self, request, budget):
        token = marker(request["cases"])
        self.served.append(token)
        self.memory.append(token)
        self.world.disk.append(token)
        if self.world.crash_after_hidden and token in self.world.hidden_markers:
            raise ChildFault("error", "the process was killed by SIGSEGV")
        self.out += "I have seen " + " ".join(self.memory + self.world.disk) + "\n"
        return {"op": "result", "ok": False,
                "error": {"status": "error",
                          "message": "I have seen " + " ".join(self.memory + self.world.disk)}}

    def output_mark(self):
        return len(self.out)

    def output(self, since=None):
        return self.out[since or 0:]

    def stop(self):
        pass


def hidden_markers(course):
    return {marker(plan_cases(c)[0]) for c in course.checks_for(A, EXERCISES) if c.hidden}


def student_texts(report, policy):
    texts = {fmt: render(report, fmt, policy) for fmt in FORMATS}
    texts["html"] = pages.to_html(report, "ann", (), policy)
    texts["md"] = pages.to_markdown(report, "ann", (), policy)
    return texts


@pytest.mark.parametrize("crash", [False, True], ids=["remembers", "saves, crashes, reloads"])
def test_what_a_child_sees_in_hidden_checks_reaches_no_student(course, crash):
    secret = hidden_markers(course)
    world = World(crash_after_hidden=crash, hidden_markers=secret)
    report = grade(Submission(origin="snoop"), course, A, exercises=EXERCISES,
                   session_factory=lambda req: SnoopChild(world, req))
    # Public and hidden checks never share a child, and the public ones all come first.
    public = {marker(plan_cases(c)[0]) for c in course.checks_for(A, EXERCISES) if not c.hidden}
    for child in world.children:
        assert set(child.served) <= public or set(child.served) <= secret
    order = [t for child in world.children for t in child.served]
    assert all(t in public for t in order[:len(public)]), "a hidden check ran before a public one"
    # The report still lists the checks in course order.
    assert [(c.exercise, c.name) for c in report.checks] == [
        (c.exercise, c.name) for c in course.checks_for(A, EXERCISES)]
    for policy in ("score", "none"):
        for fmt, text in student_texts(report, policy).items():
            leaked = [t for t in secret if t in text]
            assert not leaked, (policy, fmt, leaked)
    # The instructor (policy `message`) still sees what the hidden children said.
    everything = render(report, "json", "message")
    assert all(t in everything for t in secret) or crash   # the last crash tells no one
    if crash:  # the reloaded hidden child raised the saved inputs while loading
        assert any(t in n for n in report.hidden_notes for t in secret)
        assert not any(t in n for n in report.notes for t in secret)
        assert Report.from_dict(json.loads(everything)).hidden_notes  # survives a round trip


def test_a_public_check_asked_for_after_a_hidden_one_is_shown_like_a_hidden_one(course):
    """The pytest door runs one check per item, in the order pytest asks."""
    world = World()
    checks = {c.name: c for c in course.checks_for(A, ["decaying_cosine"])}
    with Grading(Submission(origin="snoop"), course, A,
                 session_factory=lambda req: SnoopChild(world, req)) as grading:
        before = grading.run(checks["values"])
        grading.run(checks["gradient_hidden"])
        after = grading.run(checks["gradient"])
    assert not before.after_hidden and after.after_hidden
    secret = hidden_markers(course) & set(world.disk)
    assert secret and all(t in after.message for t in secret)   # the fake did leak it there
    for fmt, text in student_texts(grading.report, "score").items():
        assert not any(t in text for t in secret), fmt
        if fmt != "text":
            assert "ran after the hidden checks" in text, fmt


class ForgingChild(SnoopChild):
    """Forges a 'loaded' frame before the real one, with new load errors every time: the
    real 'loaded' then arrives during the first probe, a protocol fault."""

    count = 0

    def start(self):
        ForgingChild.count += 1
        return {"op": "loaded", "import_s": 0.0,
                "chunks": [{"name": f"cell {i}", "error": f"E{ForgingChild.count}-{i} " + "x" * 500}
                           for i in range(1000)]}

    def probe(self, request, budget):
        raise ProtocolFault("the grader child sent an unexpected reply")


def test_protocol_faults_restart_a_bounded_number_of_times_and_notes_are_capped(course):
    world, limits = World(), course.spec.limits
    ForgingChild.count = 0
    report = grade(Submission(origin="forger"), course, A, exercises=EXERCISES,
                   session_factory=lambda req: ForgingChild(world, req))
    # The cap is per submission: the hidden checks get no child of their own after it.
    assert len(world.children) == limits.protocol_faults
    not_run = [c for c in report.checks if c.message.startswith("not run")]
    assert len(not_run) == len(report.checks) - len(world.children)
    assert all(c.status == "error" and c.score == 0 for c in not_run)
    assert "protocol" in not_run[0].message
    for notes in (report.notes, report.hidden_notes):
        assert len(notes) <= limits.notes_max + 5
        assert sum(len(n) for n in notes) <= limits.notes_kb * 1024 + 2000
    assert report.notes[-1].endswith("more note(s) not shown")


def test_notes_are_deduplicated_and_capped_in_count_and_bytes(course):
    limits = course.spec.limits.model_copy(update={"notes_max": 3, "notes_kb": 1})
    kept = []
    notes = Notes(kept, limits)
    for text in ["a", "b", "a", "b", "c", "d", "e", "d"]:
        notes.add(text)
    notes.finish()
    assert kept == ["a", "b", "c", "2 more note(s) not shown"]
    kept = []
    notes = Notes(kept, limits)
    for i in range(5):
        notes.add(f"{i}" + "y" * 400)
    notes.finish()
    assert len(kept) == 3 and kept[-1] == "3 more note(s) not shown"


class NeverLoads(SnoopChild):
    def start(self):
        raise ChildFault("timeout", "used 30.1 s of CPU; the limit is 30 s")


def test_files_that_cannot_load_are_not_loaded_again_for_the_hidden_checks(course):
    world = World()
    report = grade(Submission(origin="slow"), course, A, exercises=EXERCISES,
                   session_factory=lambda req: NeverLoads(world, req))
    assert len(world.children) == 1
    assert all(c.status == "timeout" and "before any check" in c.message for c in report.checks)
