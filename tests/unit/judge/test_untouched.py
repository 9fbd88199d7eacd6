"""The release's untouched stubs are decided in the parent, without a child
(grader/judge/untouched.py), and only they: anything that could make a stub's
function behave otherwise runs in a child as before, with the same result."""
import json
import shutil

import pytest

from grader.execution.channel import ChildFault
from grader.execution.session import session_factory as child_factory
from grader.judge.grade import grade
from grader.judge.untouched import NOT_ATTEMPTED_MESSAGE, is_untouched
from grader.submission.locate import load_submission

A = "hw1_autograd"


class NoChild:
    """A session factory that counts the children asked for and starts none."""

    def __init__(self):
        self.requests = []

    def __call__(self, load_request):
        self.requests.append(load_request)
        return self

    def start(self):
        raise ChildFault("infrastructure", "this test allows no child")

    def output(self, since=None):
        return ""

    def stop(self):
        pass


def load(course, path, assignment=A):
    return load_submission(path, list(course.assignment(assignment).exercises), assignment,
                           course.spec.limits)


def release_notebook(root, assignment=A):
    return root / "assignments" / assignment / f"{assignment}.ipynb"


def edited_notebook(root, tmp_path, edit, name="ann.ipynb"):
    nb = json.loads(release_notebook(root).read_text(encoding="utf-8"))
    edit(nb)
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("assignment", [A, "hw2_torch"])
@pytest.mark.parametrize("form", ["notebook", "py files"])
def test_untouched_release_is_decided_without_any_child(root, course, assignment, form):
    path = release_notebook(root, assignment) if form == "notebook" else \
        root / "assignments" / assignment
    factory = NoChild()
    rep = grade(load(course, path, assignment), course, assignment, session_factory=factory)
    assert factory.requests == []   # no public child, no hidden child
    assert len(rep.checks) == len(course.checks_for(assignment))
    assert {(c.status, c.message, c.score) for c in rep.checks} == {
        ("not_attempted", NOT_ATTEMPTED_MESSAGE, 0.0)}
    assert any(c.hidden for c in rep.checks)


def test_a_notebook_run_and_saved_is_still_untouched(root, course, tmp_path):
    """Outputs and execution counts change only the cells' names ("In [3]")."""
    def ran(nb):
        for i, cell in enumerate(code_cells(nb), 1):
            cell["execution_count"] = i
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
    sub = load(course, edited_notebook(root, tmp_path, ran))
    assert sub.chunks[0].name.startswith("In [")
    assert is_untouched(sub, course, A)


def test_a_folder_with_data_files_beside_the_stubs_is_untouched(root, course, tmp_path):
    folder = tmp_path / "ann"
    shutil.copytree(root / "assignments" / A, folder)
    (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC\n")
    (folder / "notes.md").write_text("I will do it tomorrow\n")
    assert is_untouched(load(course, folder), course, A)


REBIND = "def decaying_cosine(x):\n    return 0.0\n"


def edit_first_stub(nb):
    cell = next(c for c in code_cells(nb) if "raise NotImplementedError()" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("raise NotImplementedError()", "return 0.0", 1)


@pytest.mark.parametrize("edit", [
    # a later cell rebinds a stub
    lambda nb: nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                                   "execution_count": None, "source": REBIND}),
    # the same through globals(), exec, a star-import: any added code at all
    lambda nb: nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                                   "execution_count": None,
                                   "source": "globals()['trid'] = len\n"}),
    lambda nb: nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                                   "execution_count": None, "source": "from math import *\n"}),
    # a stub's body edited, a cell removed, two cells swapped, a demo cell made a plain one
    lambda nb: edit_first_stub(nb),
    lambda nb: nb["cells"].remove(code_cells(nb)[2]),
    lambda nb: nb.update(cells=nb["cells"][::-1]),
    lambda nb: [c["metadata"].pop("tags", None) for c in code_cells(nb)],
], ids=["later-cell", "globals", "star-import", "stub-edited", "cell-removed", "reordered",
        "demo-untagged"])
def test_any_other_code_runs_in_a_child(root, course, tmp_path, edit):
    sub = load(course, edited_notebook(root, tmp_path, edit))
    assert not is_untouched(sub, course, A)
    factory = NoChild()
    grade(sub, course, A, session_factory=factory, exercises=["decaying_cosine"])
    assert factory.requests  # a child was asked for


@pytest.mark.parametrize("extra", ["_helper.py", "numpy_compat.pyc", "fast.cpython-311-x86_64-"
                                   "linux-gnu.so", "pkg/__init__.py", "ns/data.txt"])
def test_a_file_the_child_could_import_runs_in_a_child(root, course, tmp_path, extra):
    """The submission folder is on the child's sys.path: a module (or a package, a
    namespace one included) beside the stubs may change what they do."""
    folder = tmp_path / "ann"
    shutil.copytree(root / "assignments" / A, folder)
    (folder / extra).parent.mkdir(parents=True, exist_ok=True)
    (folder / extra).write_text("import builtins\n")
    sub = load(course, folder)
    assert sub.files == [f"{e}.py" for e in course.assignment(A).exercises]  # still the stubs
    assert not is_untouched(sub, course, A)


def test_another_release_of_the_notebook_runs_in_a_child(root, course):
    """examples/submissions/*/stub.ipynb is a snapshot of an earlier release."""
    sub = load(course, root / "examples" / "submissions" / A / "stub.ipynb")
    assert not is_untouched(sub, course, A)


# ------------------------------------------------------------- against real children
def comparable(report):
    """A report as every format shows it (time measurements left out)."""
    d = report.to_dict()
    for c in d["checks"]:
        c.pop("duration")
    return d


@pytest.mark.slow
@pytest.mark.parametrize("form", ["notebook", "py files"])
def test_the_parents_verdict_reads_exactly_as_the_childs(root, course, form):
    path = release_notebook(root) if form == "notebook" else root / "assignments" / A
    factory = child_factory(course.spec.limits)
    decided = grade(load(course, path), course, A, session_factory=NoChild())
    ran = grade(load(course, path), course, A, session_factory=factory,
                decide_untouched=False)
    assert comparable(decided) == comparable(ran)


@pytest.mark.slow
def test_a_stub_rebound_in_a_later_cell_is_graded_and_gets_its_marks(root, course, tmp_path):
    reference = (root / "solutions" / A / "decaying_cosine.py").read_text(encoding="utf-8")
    reference = reference.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
    path = edited_notebook(root, tmp_path, lambda nb: nb["cells"].append(
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": reference}))
    rep = grade(load(course, path), course, A, exercises=["decaying_cosine"],
                session_factory=child_factory(course.spec.limits))
    assert rep.checks and all(c.status == "passed" for c in rep.checks), [
        (c.name, c.status, c.message) for c in rep.checks]


@pytest.mark.slow
def test_a_partly_done_notebook_is_graded_check_by_check_as_before(root, course):
    """Every exercise, public and hidden checks, all but trid's three minimisations (this
    notebook's loops spend most of its grading there; the shortcut decides per submission,
    not per check)."""
    path = root / "examples" / "submissions" / A / "partial.ipynb"
    factory = child_factory(course.spec.limits)
    only = {(c.exercise, c.name) for c in course.checks_for(A) if "minimize" not in c.name}
    now = grade(load(course, path), course, A, session_factory=factory, only=only)
    before = grade(load(course, path), course, A, session_factory=factory,
                   decide_untouched=False, only=only)
    statuses = {c.status for c in now.checks}
    assert "passed" in statuses and statuses - {"passed"}  # partly done indeed
    assert [(c.name, c.status, c.score, _without_cpu(c.message)) for c in now.checks] == \
        [(c.name, c.status, c.score, _without_cpu(c.message)) for c in before.checks]


def _without_cpu(message):
    """A message without what CPU time decides (cputime.cpu_note, past a third of the
    limit: present or not with the machine's load) or states (a time-out's figure)."""
    return message.split("This check used")[0].split(" used ")[0].strip()


def test_grade_all_of_untouched_notebooks_starts_no_fork_server(root, course, tmp_path,
                                                               monkeypatch):
    """grade-all's fork servers start on a worker's first child: a class of untouched
    notebooks (run and saved, renamed) needs none."""
    from grader.bulk import gradeall
    started = []

    class CountingPool(gradeall.ZygotePool):
        def zygote(self, assignment):
            started.append(assignment)
            return super().zygote(assignment)
    monkeypatch.setattr(gradeall, "ZygotePool", CountingPool)
    for student in ("ann", "bob", "cy"):
        shutil.copy(release_notebook(root), tmp_path / f"{student}.ipynb")
    items = gradeall.find_submissions(tmp_path, A)
    graded = gradeall.grade_all(items, course, A, workers=2)
    assert started == []
    assert [g.item.student for g in graded] == ["ann", "bob", "cy"]
    assert all(not g.crashed and g.report.score == 0 and len(g.report.checks) ==
               len(course.checks_for(A)) and {c.status for c in g.report.checks} ==
               {"not_attempted"} for g in graded)


def test_a_students_bundle_never_calls_their_own_work_the_release(root, course, tmp_path):
    """In the student's bundle assignments/<a>/ is the student's working copy. A finished
    notebook there, checked as it is (or zipped), equals that folder's notebook; it was
    recorded as "not attempted" everywhere (seen through `grader check` in the bundle)."""
    from grader.authoring.release import build_release
    from grader.config import load_course
    bundle = build_release(course, A, tmp_path / "bundle")
    book = bundle / "assignments" / A / f"{A}.ipynb"
    # A finished notebook (examples/: building one from solutions/ would import nbformat,
    # whose jsonschema builds a grammar at import: seconds of this test's CPU for nothing)
    shutil.copy(root / "examples" / "submissions" / A / "complete.ipynb", book)
    student_course = load_course(bundle / "course.yml")
    assert not is_untouched(load(student_course, book), student_course, A)
