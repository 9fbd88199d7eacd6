"""Grade many submissions, one after the other, into a CSV (a first version).

The bulk-grading work (grader/gradeall.py) makes this parallel and adds
formats; it reuses `find_submissions`, which knows the folder layouts:

    submitted/<student>/<assignment>/<anything>.ipynb | *.py   (nbgrader)
    <student>/<assignment>/...  or  <student>/...              (one folder per student)
    <student>.py | <student>.ipynb | <student>.zip             (one file per student)
"""
import csv
import io
from pathlib import Path

SOURCE_SUFFIXES = (".py", ".ipynb", ".zip")


def find_submissions(folder, assignment):
    """[(student, path)] sorted by student; path is a notebook, a .py/.zip file or a folder.

    `folder` may be an nbgrader course directory (its submitted/ is used),
    the submitted/ folder itself, or a folder of per-student files.
    """
    folder = Path(folder)
    if (folder / "submitted").is_dir():
        folder = folder / "submitted"
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir():
            inner = entry / assignment if (entry / assignment).is_dir() else entry
            path = _submission_path(inner)
            if path is not None:
                found.append((entry.name, path))
        elif entry.is_file() and entry.suffix.lower() in SOURCE_SUFFIXES:
            found.append((entry.stem, entry))
    return found


def _submission_path(folder):
    """A lone notebook is graded as that notebook; .py files as the folder."""
    books = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if any(p.suffix == ".py" and not p.name.startswith((".", "_")) for p in folder.iterdir()):
        return folder
    if len(books) == 1:
        return books[0]
    return folder if books else None


CSV_FIELDS = ["student", "assignment", "score", "max_score", "status", "path"]


def grade_all(folder, course, assignment, progress=None):
    """Grade each submission in turn; returns a list of CSV rows (dicts).

    A submission that cannot be read gets a row with score 0 and its reason.
    """
    from .grading import grade
    from .submission import SubmissionError, load_submission
    order = list(course.assignment(assignment).exercises)
    max_score = sum(c.points for c in course.checks_for(assignment))
    rows = []
    for student, path in find_submissions(folder, assignment):
        try:
            report = grade(load_submission(path, order=order), course, assignment)
            row = {"score": report.score, "max_score": report.max_score, "status": "graded"}
        except SubmissionError as err:
            row = {"score": 0, "max_score": max_score, "status": f"unreadable: {err}"}
        row |= {"student": student, "assignment": assignment, "path": str(path)}
        rows.append(row)
        if progress:
            progress(row)
    return rows


def to_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in CSV_FIELDS})
    return out.getvalue()
