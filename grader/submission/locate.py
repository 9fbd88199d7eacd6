"""Where the submissions of a class are: the folder layouts grade-all accepts.

    submitted/<student>/<assignment>/<anything>.ipynb | *.py   (nbgrader)
    <student>/<assignment>/...  or  <student>/...              (one folder per student)
    <student>.py | <student>.ipynb | <student>.zip             (one file per student)
"""
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
