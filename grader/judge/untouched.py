"""Untouched release stubs, decided in the parent without a child.

A submission whose code is the release's, chunk for chunk (`assignments/<a>/`, as
`grader build` wrote it: the .py stubs or the notebook, whose nbgrader release has
the same code cells), can only do what the release does: every exercise function
is still `raise NotImplementedError()`, so every check is "not attempted". The
parent records exactly that (the judge's own not-attempted result), and no child
is forked: no probe, no public or hidden child, no fork server started for it.

Sound, not clever: the shortcut takes the WHOLE submission or nothing.
- Every chunk the child would run equals the release's (code, first line, module,
  and a .py file's name; a notebook cell's name "In [7]" only labels messages).
  Anything added, removed, reordered or edited (a later cell that rebinds a stub,
  `globals()`, `exec`, a star-import) makes it another submission: the child runs.
- Nothing else the child could import: a submission folder (copied into the jail
  and put on the child's sys.path) holds no file an import can load (a suffix of
  `importlib.machinery.all_suffixes()`: .py, .pyc, extension modules) other than
  the graded files themselves, and no subfolder (a package, or a namespace one).
  Data and text files (a notebook beside the .py files, timestamp.txt) are fine:
  the release reads none of them.
- Only where the release is the instructor's: a course root that holds the
  reference solutions (`solutions/<a>/`), whose `assignments/<a>/` `grader build`
  writes (and `grader build --check` keeps current). In a student's bundle
  `assignments/<a>/` is the student's own working copy: comparing with it would call
  their finished notebook "the release" and record it as not attempted.
Whether the release really gives "not attempted" everywhere is what `grader
selftest`'s stub case checks, through a child (`decide_untouched=False`), for any
course; tests/unit/judge/test_untouched.py checks it for both release forms here.
"""
import importlib.machinery
import threading
from pathlib import Path

from grader.submission.inputs import InputError, regular_files
from grader.submission.load import SubmissionError
from grader.submission.locate import load_submission

NOT_ATTEMPTED_MESSAGE = "not attempted yet (the stub still raises NotImplementedError)"
IMPORTABLE = tuple(importlib.machinery.all_suffixes())

_cache, _lock = {}, threading.Lock()


def fingerprint(submission):
    """What the child executes of `submission`, without what only labels messages:
    a tuple of (code, first line, module, file name of a module chunk) per chunk."""
    return tuple((c.code, c.first_line, c.module, c.name if c.module else "")
                 for c in submission.chunks)


def release_fingerprints(course, assignment):
    """{fingerprint} of the release's two forms (its .py stubs, its notebook), or an
    empty set when the course has no built release or is not the instructor's
    repository (a student's bundle: its assignments/ folder is the student's work). Cached per process, keyed by the
    release files' sizes and modification times (a rebuilt release is read again)."""
    folder = Path(course.root) / "assignments" / assignment
    if not (Path(course.root) / "solutions" / assignment).is_dir():
        return frozenset()   # not the instructor's repository: no trusted release here
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file())
        key = (str(folder), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                                  for p in files))
    except OSError:
        return frozenset()
    with _lock:
        if key not in _cache:
            _cache[key] = _read_release(course, assignment, folder, files)
        return _cache[key]


def _read_release(course, assignment, folder, files):
    order = list(course.assignment(assignment).exercises)
    forms = [folder] + [p for p in files if p.suffix == ".ipynb"]
    prints = set()
    for form in forms:
        try:
            sub = load_submission(form, order, assignment, course.spec.limits)
        except SubmissionError:
            continue
        sub.close()
        if sub.chunks:
            prints.add(fingerprint(sub))
    return frozenset(prints)


def is_untouched(submission, course, assignment):
    """True when `submission` (a loaded submission.Submission) is the release, code for
    code, with nothing else the child could import (see the module docstring)."""
    if not submission.chunks or fingerprint(submission) not in release_fingerprints(
            course, assignment):
        return False
    return _nothing_else_importable(submission, course.spec.limits)


def _nothing_else_importable(submission, limits):
    path = Path(submission.path) if submission.path else None
    if path is None or path.is_file():
        return True  # the one file graded is all the child gets
    try:
        files = regular_files(path, limits)
    except (InputError, OSError):
        return False
    graded = set(submission.files)
    for f in files:
        rel = f.relative_to(path)
        if len(rel.parts) != 1:
            return False  # a subfolder: importable as a package
        if f.name.lower().endswith(IMPORTABLE) and f.name not in graded:
            return False
    return True
