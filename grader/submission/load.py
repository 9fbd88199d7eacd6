"""Load a submission into ordered code chunks with a source map.

A chunk is one unit the child executes on its own, so a broken chunk costs
only the names it would have defined: a notebook cell, a .py file, or (when a
.py file does not parse) one top-level statement group of it. Chunk names
("trid.py", "cell 7") are the file names tracebacks and messages show.
"""
import ast
from dataclasses import dataclass, field
from pathlib import Path

from grader.submission.inputs import InputError, check_file, load_zip, safe_members

MAX_SOURCE_BYTES = 5 * 1024 * 1024


class SubmissionError(Exception):
    """The submission cannot be read at all (the message says why)."""


@dataclass
class Chunk:
    name: str          # shown in tracebacks: "trid.py", "cell 7"
    code: str
    first_line: int = 1  # line of the original file where this chunk starts

    def to_wire(self):
        return {"name": self.name, "code": self.code, "first_line": self.first_line}


@dataclass
class Submission:
    """What the child executes: ordered chunks, plus notes for the report."""
    origin: str
    chunks: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def load_submission(path, order=()):
    """Read a .py file or a folder of .py files (others: see loaders).

    Args: path: file or folder; order: file stems to execute first, in order
    (the course's exercise order), the rest alphabetically after them.
    """
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    try:  # size, symlink and archive checks apply whatever the loader (sandbox_input.py)
        if path.is_dir():
            return _load_folder(path, order)
        if path.suffix.lower() == ".zip":
            return load_zip(path, order, _load_folder)
        check_file(path)
    except InputError as err:
        raise SubmissionError(str(err)) from None
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise SubmissionError(f"{path.name}: cannot grade a '{path.suffix}' file; "
                              f"expected one of {', '.join(sorted(LOADERS))} or a folder")
    return loader(path)


def _load_folder(folder, order):
    files = [p for p in folder.iterdir() if p.suffix == ".py" and p.is_file()
             and not p.name.startswith(("_", "."))]
    files, refused = safe_members(folder, files)
    rank = {stem: i for i, stem in enumerate(order)}
    files.sort(key=lambda p: (rank.get(p.stem, len(rank)), p.name))
    sub = Submission(origin=str(folder), notes=refused)
    for f in files:
        part = load_py_file(f)
        sub.chunks += part.chunks
        sub.notes += part.notes
    if not sub.chunks:
        sub.notes.append(f"{folder.name}: no .py files found")
    return sub


def load_py_file(path):
    """One chunk per file; if it does not parse, one per top-level statement group."""
    text = read_text(path)
    return Submission(origin=str(path), chunks=split_source(text, path.name),
                      notes=_syntax_notes(text, path.name))


def read_text(path):
    data = Path(path).read_bytes()
    if len(data) > MAX_SOURCE_BYTES:
        raise SubmissionError(f"{Path(path).name}: {len(data)} bytes is larger than the "
                              f"{MAX_SOURCE_BYTES} byte limit for source code")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SubmissionError(f"{Path(path).name}: not UTF-8 text (byte {err.start}); "
                              "save the file as UTF-8") from None


def split_source(text, name):
    """Chunks of a source file: the whole file if it parses, else top-level groups.

    A group starts at each line that begins at column 0 with code (not a
    comment, decorator continuation or closing bracket), so a syntax error in
    one function leaves the other functions defined.
    """
    try:
        ast.parse(text)
        return [Chunk(name, text, 1)]
    except SyntaxError:
        pass
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _starts_statement(line, lines[i - 1] if i else "")]
    if not starts or starts[0] != 0:
        starts = [0] + starts
    bounds = zip(starts, starts[1:] + [len(lines)])
    return [Chunk(name, "".join(lines[a:b]), a + 1) for a, b in bounds]


def _starts_statement(line, previous):
    if not line[:1].strip() or line[0] in "#)]}":
        return False
    if previous.rstrip().endswith(("\\", ",", "(", "[", "{")):
        return False
    return not previous.startswith("@")


def _syntax_notes(text, name):
    try:
        ast.parse(text)
        return []
    except SyntaxError as err:
        return [f"{name} line {err.lineno}: SyntaxError: {err.msg}. Only the statement "
                "groups that parse were run; names defined in the broken one are missing."]


# ------------------------------------------------------------- notebooks
# Plain json, not nbformat: grading must not need the notebook stack.
CELL_MAGIC_PYTHON_BODY = {"time", "timeit", "capture", "prun", "debug"}
# check("...") cells (the parent grades, not the notebook) and demo cells (plots and
# worked examples that only use the exercise functions; see notebooks.py).
SKIPPED_TAGS = {"grader-check", "demo"}


def load_notebook(path):
    """One chunk per code cell ("cell 7" = the notebook's 7th cell), magics neutralised.

    Skipped: nbgrader autograder test cells, cells tagged grader-check
    (they call the in-notebook checks; grading them twice proves nothing)
    and cells tagged demo (teaching code that only uses the exercises).
    """
    import json
    name = Path(path).name
    try:
        nb = json.loads(read_text(path))
    except json.JSONDecodeError as err:
        raise SubmissionError(f"{name}: not a valid notebook, the JSON is broken at line "
                              f"{err.lineno} column {err.colno} ({err.msg}). Was it saved "
                              "completely? Re-save it from Jupyter or restore a checkpoint.") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        fmt = nb.get("nbformat") if isinstance(nb, dict) else None
        raise SubmissionError(f"{name}: not a Jupyter notebook in format 4 (no list of 'cells'"
                              + (f"; nbformat {fmt}" if fmt else "") + ")")
    sub = Submission(origin=str(path))
    for index, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _skip_cell(cell):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if not source.strip():
            continue
        sub.chunks.append(Chunk(f"cell {index}", neutralise_magics(source), 1))
    if not sub.chunks:
        sub.notes.append(f"{name}: no code cells found")
    return sub


def _skip_cell(cell):
    meta = cell.get("metadata") or {}
    nbg = meta.get("nbgrader") or {}
    if nbg.get("grade") and not nbg.get("solution"):
        return True
    return bool(SKIPPED_TAGS & set(meta.get("tags") or []))


def neutralise_magics(source):
    """IPython-only syntax -> harmless Python, keeping line numbers.

    `%line magic` and `!shell` lines become `pass`; `x = !cmd` becomes
    `x = None`; a cell magic whose body is not Python (%%bash, %%html, ...)
    comments out the whole cell.
    """
    lines = source.split("\n")
    first = lines[0].lstrip()
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if magic not in CELL_MAGIC_PYTHON_BODY:
            return "\n".join("# (IPython cell magic, not run) " + line for line in lines)
        lines[0] = "pass  # (IPython cell magic, not run) " + lines[0].strip()
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[:len(line) - len(stripped)]
        assign = _MAGIC_ASSIGN.match(line)
        if stripped.startswith(("%", "!")):
            line = f"{indent}pass  # (IPython magic, not run) {stripped}"
        elif assign:
            line = f"{assign.group(1)}None  # (IPython magic, not run) {assign.group(2)}"
        out.append(line)
    return "\n".join(out)


_MAGIC_ASSIGN = __import__("re").compile(r"^(\s*[A-Za-z_][\w.]*\s*=\s*)([!%].*)$")


LOADERS = {".py": load_py_file, ".ipynb": load_notebook}
