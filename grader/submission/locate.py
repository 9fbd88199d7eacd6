"""What is graded: ONE rule for every route (grade, check, grade-all, Gradescope,
a Classroom repository, nbgrader's submitted/).

    sub = load_submission(path, order, assignment, limits)

1. Where to look. A file is graded as itself (a .zip is unpacked first). In a
   folder, `assignments/<assignment>/` (a Classroom repository: the release
   bundle's layout) or `<assignment>/` is used when present; a folder holding
   nothing but one subfolder, or nothing gradable but one .zip, is followed.
2. The candidates there: every notebook (.ipynb) on its own, and the .py files
   together (files starting with `_` or `.` are never candidates).
3. The winner: the candidate with the most ATTEMPTED functions (top-level
   functions whose body is more than a docstring and `raise NotImplementedError()`
   or `pass`); on a tie the .py files, then notebooks by name. So a completed
   notebook beats the untouched stub .py files beside it. When another candidate
   also holds work, a note names it: it was not graded.
Every report names the graded file(s) (a note, and `files` in JSON).

The folder layouts of a whole class (grade-all):
    submitted/<student>/<assignment>/...     (nbgrader)
    <student>/<assignment>/...  or  <student>/...   (one folder per student)
    <student>.py | <student>.ipynb | <student>.zip  (one file per student; several
                                        files with one stem: the rule above picks)
"""
import ast
from pathlib import Path

from grader.submission.inputs import (InputError, check_file, entry_problem, safe_members,
                                      unpack_to_temp)
from grader.submission.load import LOADERS, Submission, SubmissionError, load_py_file, parse

SOURCE_SUFFIXES = (".py", ".ipynb", ".zip")


def load_submission(path, order=(), assignment=None, limits=None):
    """The Submission to grade at `path` (a file, folder or .zip), by the rule above.

    Args: order: file stems to execute first, in order (the course's exercise
    order), the rest alphabetically after them; assignment: its id, to find
    `assignments/<id>/` in a repository; limits: config.Limits (input caps).
    """
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    tmp = None
    try:  # size, symlink and archive checks apply whatever the loader (inputs.py)
        target = where_to_look(path, assignment) if path.is_dir() else path
        if target.suffix.lower() == ".zip" and target.is_file():
            tmp, folder = unpack_to_temp(target, limits)
            sub = _choose(where_to_look(folder, assignment), order, limits)
        elif target.is_dir():
            sub = _choose(target, order, limits)
        else:
            sub = _load_file(target, limits)
    except InputError as err:
        _remove(tmp)
        raise SubmissionError(str(err)) from None
    except (OSError, RecursionError) as err:  # a file gone or unreadable mid-way; the unforeseen
        _remove(tmp)
        why = getattr(err, "strerror", None) or type(err).__name__
        raise SubmissionError(f"{path.name}: could not be read ({why}); resubmit it") from None
    except BaseException:
        _remove(tmp)
        raise
    sub.origin, sub.tmp = str(path), tmp
    sub.notes.insert(0, graded_note(sub))
    return sub


def _load_file(path, limits):
    check_file(path, limits)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise SubmissionError(f"{path.name}: cannot grade a '{path.suffix}' file; "
                              f"expected one of {', '.join(sorted(LOADERS))}, a .zip or a folder")
    sub = loader(path, limits)
    sub.path = str(path)
    return sub


def _choose(folder, order, limits):
    """The candidate in `folder` with the most attempted functions (rule 2 and 3)."""
    if not folder.is_dir():  # a zip inside a zip: not followed
        return Submission(origin=str(folder), notes=[f"{folder.name}: an archive inside the "
                                                     "archive is not unpacked"])
    candidates, notes = _candidates(folder, order, limits)
    if not candidates:
        return Submission(origin=str(folder), path=str(folder), notes=notes + [
            f"{folder.name}: no .py files or notebooks found"])
    asked = exercise_functions(candidates)
    scored = sorted(candidates, key=lambda c: -len(attempted(c, asked)))  # stable: .py first
    best = scored[0]
    best.notes = notes + best.notes + _others_note(best, scored[1:], asked)
    best.path = str(folder)
    return best


def where_to_look(folder, assignment=None):
    """The folder (or lone .zip) inside `folder` that holds the work (rule 1). A loop,
    not recursion: a submission may be folders nested a thousand deep."""
    folder = Path(folder)
    while True:
        for parts in ([("assignments", assignment), (assignment,)] if assignment else []):
            steps = [folder.joinpath(*parts[:n]) for n in range(1, len(parts) + 1)]
            if all(_real_dir(step) for step in steps):
                return steps[-1]
        # links inside a submission are never followed (inputs.regular_files: what the
        # child's copy and grade-all's cache key hold)
        entries = [p for p in folder.iterdir() if not p.name.startswith((".", "_"))
                   and p.name not in ("__MACOSX",) and not p.is_symlink()]
        if any(p.suffix.lower() in (".py", ".ipynb") and p.is_file() for p in entries):
            return folder
        zips = [p for p in entries if p.suffix.lower() == ".zip" and p.is_file()]
        dirs = [p for p in entries if p.is_dir()]
        if len(zips) == 1:
            return zips[0]
        if len(dirs) != 1 or zips:
            return folder
        folder = dirs[0]


def _real_dir(path):
    """A folder that is not a symbolic link."""
    return path.is_dir() and not path.is_symlink()


def _candidates(folder, order, limits):
    """([Submission per candidate: the .py files together, then each notebook], notes)."""
    visible = [p for p in sorted(folder.iterdir()) if p.is_file()
               and not p.name.startswith(("_", "."))]
    files, notes = safe_members(folder, visible, limits)
    rank = {stem: i for i, stem in enumerate(order)}
    py = sorted((p for p in files if p.suffix == ".py"),
                key=lambda p: (rank.get(p.stem, len(rank)), p.name))
    out = []
    if py:
        sub = Submission(origin=str(folder))
        for f in py:
            part = load_py_file(f, limits)
            sub.chunks += part.chunks
            sub.notes += part.notes
            sub.files += part.files
        out.append(sub)
    for book in (p for p in files if p.suffix.lower() == ".ipynb"):
        try:
            out.append(LOADERS[".ipynb"](book, limits))
        except SubmissionError as err:
            notes.append(f"{err} (not graded)")
    return out, notes


def _functions(sub):
    """(name, is a stub) of the top-level functions `sub` defines."""
    for chunk in sub.chunks:
        try:
            tree = parse(chunk.code)
        except SyntaxError:
            continue
        yield from ((n.name, _stub(n)) for n in tree.body
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def exercise_functions(candidates):
    """The functions the assignment asks for, as far as the candidates tell: those some
    candidate still has as a stub (the notebook's plot helpers and worked examples are
    nobody's stub). None when no candidate has a stub left (then every function counts)."""
    names = {name for sub in candidates for name, stub in _functions(sub) if stub}
    return names or None


def attempted(sub, asked=None):
    """Names of the top-level functions `sub` defines with more than a stub body (only
    those in `asked`, the exercise functions, when it is given)."""
    return {name for name, stub in _functions(sub)
            if not stub and (asked is None or name in asked)}


def _stub(fn):
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    if not body:
        return True
    if len(body) != 1:
        return False
    node = body[0]
    if isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(
            node.value, ast.Constant) and node.value.value is Ellipsis):
        return True
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _label(sub):
    return ", ".join(sub.files) or sub.origin


def _others_note(best, others, asked=None):
    worked = [o for o in others if attempted(o, asked)]
    if not worked:
        return []
    return [f"also found {_label(o)} with {len(attempted(o, asked))} attempted function(s); it "
            f"was NOT graded: {_label(best)} has more ({len(attempted(best, asked))}). Hand in "
            "one version of your work." for o in worked]


def graded_note(sub):
    """'graded: trid.py, linreg_bias.py' (every report says what was graded)."""
    return "graded: " + (", ".join(sub.files) if sub.files else "nothing (no gradable file)")


def _remove(tmp):
    if tmp:
        Submission(origin="", tmp=tmp).close()


# ------------------------------------------------------------------ a whole class
def find_submissions(folder, assignment):
    """[(student, path, notes)] sorted by student; path is a file or a folder, graded by
    load_submission's rule. Several files with one stem (alice.py, alice.ipynb) are ONE
    student: the candidate with the most attempted functions, with a note.

    `folder` may be an nbgrader course directory (its submitted/ is used),
    the submitted/ folder itself, or a folder of per-student files. Every entry is
    looked at with lstat first (inputs.entry_problem): a link out of the folder, a
    FIFO or a device with a source suffix (or any link) is still a student, whose
    path the caller must not read (a recorded zero with the reason).
    """
    folder = Path(folder)
    if (folder / "submitted").is_dir():
        folder = folder / "submitted"
    by_student = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry_problem(entry, folder):
            source = entry.suffix.lower() in SOURCE_SUFFIXES
            if source or entry.is_symlink():  # a student's entry, not a stray file
                by_student.setdefault(entry.stem if source else entry.name, []).append(entry)
            continue
        if entry.is_dir():
            inner = entry / assignment
            by_student.setdefault(entry.name, []).append(inner if inner.is_dir() else entry)
        elif entry.is_file() and entry.suffix.lower() in SOURCE_SUFFIXES:
            by_student.setdefault(entry.stem, []).append(entry)
    return [(student, *_one_of(paths, assignment)) for student, paths in sorted(by_student.items())]


def _one_of(paths, assignment):
    """(path, notes): the one entry to grade among a student's entries."""
    if len(paths) == 1:
        return paths[0], []
    scored = []
    for p in paths:
        if entry_problem(p, p.parent):
            scored.append((-2, p))   # never opened
            continue
        try:
            sub = load_submission(p, assignment=assignment)
            scored.append((len(attempted(sub)), p))
            sub.close()
        except SubmissionError:
            scored.append((-1, p))
    scored.sort(key=lambda t: -t[0])  # stable: sorted names first on a tie
    best = scored[0][1]
    others = ", ".join(p.name for _n, p in scored[1:])
    return best, [f"several submissions: graded {best.name}, the one with the most attempted "
                  f"functions; NOT graded: {others}"]
