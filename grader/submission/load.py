"""Load a submission into ordered code chunks with a source map.

A chunk is one unit the child executes on its own, so a broken chunk costs
only the names it would have defined: a notebook cell, a .py file, or (when a
.py file does not parse) one top-level statement group of it. Chunk names
("trid.py", "In [7]") are the file names tracebacks and messages show. Which
file(s) of a folder, zip or repository are graded is decided in locate.py.
"""
import ast
import functools
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from grader.config import Limits


class SubmissionError(Exception):
    """The submission cannot be read at all (the message says why)."""


@dataclass
class Chunk:
    name: str          # shown in tracebacks: "trid.py", "In [7]"
    code: str
    first_line: int = 1  # line of the original file where this chunk starts
    module: str = ""   # a .py file's module name ("trid"): the child makes it importable

    def to_wire(self):
        return {"name": self.name, "code": self.code, "first_line": self.first_line,
                "module": self.module}


@dataclass
class Submission:
    """What the child executes: ordered chunks, plus notes for the report.

    `path`: the folder (or file) copied into the child's work dir, so the code
    finds the files handed in beside it; `files`: what was graded, for every
    report; `tmp`: a folder of ours (an unpacked zip) that close() removes."""
    origin: str
    chunks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    path: str | None = None
    files: list = field(default_factory=list)
    tmp: str | None = None

    def close(self):
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


def load_py_file(path, limits=None):
    """One chunk per file; if it does not parse, one per top-level statement group.
    The chunks carry the file's module name, so other files can import it. A notebook
    exported to .py is graded as the notebook is (load_notebook_export)."""
    path = Path(path)
    text = read_text(path, limits)
    if is_notebook_export(text):
        return load_notebook_export(path, text)
    chunks = split_source(text, path.name)
    module = path.stem if path.stem.isidentifier() else ""
    for c in chunks:
        c.module = module
    return Submission(origin=str(path), chunks=chunks, notes=_syntax_notes(text, path.name),
                      files=[path.name])


# `jupyter nbconvert --to script` (Jupyter's "Export as executable script") starts each code
# cell with a line "# In[7]:" and writes magics and ! lines as calls on get_ipython().
EXPORTED_CELL = re.compile(r"^# In\[[ \d]*\]:[ \t]*\r?$", re.M)
SHELL_CALL = re.compile(r"\bget_ipython\(\)")


def is_notebook_export(text):
    """True for a .py file written from a notebook: cell markers, or IPython's calls."""
    return bool(EXPORTED_CELL.search(text) or SHELL_CALL.search(text))


def load_notebook_export(path, text):
    """A notebook exported to .py, graded like the notebook: one chunk per exported cell
    (a cell that raises costs only its own names), run in the notebook namespace, where
    get_ipython() does nothing (child/main.py), so magics and ! lines cost nothing. Chunks
    are named after the file, with its line numbers."""
    lines = text.splitlines(keepends=True)
    starts = sorted({0} | {i for i, line in enumerate(lines)
                           if EXPORTED_CELL.match(line.rstrip("\r\n"))})
    chunks = []
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        cell = "".join(lines[a:b])
        for chunk in split_source(cell, path.name) if cell.strip() else []:
            chunk.first_line += a
            chunks.append(chunk)
    return Submission(origin=str(path), chunks=chunks, notes=_syntax_notes(text, path.name),
                      files=[path.name])


def read_text(path, limits=None):
    limit_mb = (limits or Limits()).source_mb
    data = Path(path).read_bytes()
    if len(data) > limit_mb * 1024 * 1024:
        raise SubmissionError(f"{Path(path).name}: {len(data) / 1e6:.1f} MB is larger than the "
                              f"{limit_mb} MB limit for source code (course.yml limits.source_mb)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SubmissionError(f"{Path(path).name}: not UTF-8 text (byte {err.start}); "
                              "save the file as UTF-8") from None


def parse(code):
    """ast.parse(code), with every way the parser gives up on odd input as SyntaxError:
    a deep expression (`x = ----...1`) is a MemoryError or RecursionError inside CPython's
    parser, a NUL byte a ValueError; none of them may escape into the grader."""
    try:
        return ast.parse(code)
    except SyntaxError:
        raise
    except (MemoryError, RecursionError, ValueError) as err:
        raise SyntaxError(f"the parser gave up ({type(err).__name__}: the code is nested "
                          "too deeply or holds a NUL byte)") from None


def split_source(text, name):
    """Chunks of a source file: the whole file if it parses, else top-level groups.

    A group starts at each line that begins at column 0 with code (not a
    comment, decorator continuation or closing bracket), so a syntax error in
    one function leaves the other functions defined.
    """
    try:
        parse(text)
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
        parse(text)
        return []
    except SyntaxError as err:
        where = f"{name} line {err.lineno}" if err.lineno else name
        return [f"{where}: SyntaxError: {err.msg}. Only the statement "
                "groups that parse were run; names defined in the broken one are missing."]


# ------------------------------------------------------------- notebooks
# Plain json, not nbformat: grading must not need the notebook stack.
CELL_MAGIC_PYTHON_BODY = {"time", "timeit", "capture", "prun", "debug"}
# check("...") cells: the parent grades, not the notebook.
CHECK_TAG = "grader-check"
SKIPPED_TAGS = {CHECK_TAG}
# Demo cells (plots, worked examples): only their definitions run (def, class, import),
# so a helper defined there counts as in check() while slow plots cost nothing.
DEMO_TAG = "demo"
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


def load_notebook(path, limits=None):
    """One chunk per code cell, named as Jupyter shows it ("In [7]", or "the code
    cell that starts with `def trid`" when the notebook was saved unrun), with
    IPython syntax turned into Python by IPython's own transformer.

    Skipped: nbgrader autograder test cells and cells tagged grader-check (they
    call the in-notebook checks; grading them twice proves nothing). Cells tagged
    demo run only their def/class/import statements.
    """
    name = Path(path).name
    cells = _notebook_cells(path, limits)
    sub = Submission(origin=str(path), files=[name])
    names = CellNames()
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _skip_cell(cell):
            continue
        source = cell_source(cell)
        if not source.strip():
            continue
        code = to_python(source)
        if DEMO_TAG in cell_tags(cell):
            code = definitions_only(code)
            if not code.strip():
                continue
        sub.chunks.append(Chunk(names.name(cell, source), code, 1))
    if not sub.chunks:
        sub.notes.append(f"{name}: no code cells found")
    return sub


def _notebook_cells(path, limits):
    name = Path(path).name
    try:
        nb = json.loads(read_text(path, limits))
    except json.JSONDecodeError as err:
        raise SubmissionError(f"{name}: not a valid notebook, the JSON is broken at line "
                              f"{err.lineno} column {err.colno} ({err.msg}). Was it saved "
                              "completely? Re-save it from Jupyter or restore a checkpoint.") from None
    except (RecursionError, ValueError) as err:  # nested too deeply; an int over 4300 digits
        raise SubmissionError(f"{name}: not a notebook the grader can read (its JSON is "
                              f"nested too deeply or holds a huge number: "
                              f"{type(err).__name__}). Re-save it from Jupyter.") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        fmt = nb.get("nbformat") if isinstance(nb, dict) else None
        raise SubmissionError(f"{name}: not a Jupyter notebook in format 4 (no list of 'cells'"
                              + (f"; nbformat {fmt}" if fmt else "") + ")")
    return cells


class CellNames:
    """Cell names as students see them, unique within one notebook (they are file names
    in tracebacks): "In [7]" from the saved execution count, else the cell's first line."""

    def __init__(self):
        self.seen = {}

    def name(self, cell, source):
        count = cell.get("execution_count")
        if isinstance(count, int) and not isinstance(count, bool):
            base = f"In [{count}]"
        else:
            first = next((ln.strip() for ln in source.splitlines()
                          if ln.strip() and not ln.strip().startswith("#")),
                         source.strip().splitlines()[0].strip())
            base = f"the code cell that starts with `{first[:40]}`"
        self.seen[base] = self.seen.get(base, 0) + 1
        n = self.seen[base]
        return base if n == 1 else f"{base} ({_ordinal(n)} such cell)"


def _ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# Notebooks from other tools (Colab, VS Code, nbconvert, old nbformat, hand edits) carry
# odd metadata; a field of the wrong type counts as absent, never as an error.
def _dict(value):
    return value if isinstance(value, dict) else {}


def cell_tags(cell):
    """The cell's tags that are strings ([] when `metadata.tags` is not a list)."""
    tags = _dict(cell.get("metadata")).get("tags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def cell_source(cell):
    """The cell's source as one string: nbformat's string or list of strings; any other
    JSON value is shown as its text (Python then reports what is wrong with it)."""
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(p if isinstance(p, str) else json.dumps(p) for p in source)
    return source if isinstance(source, str) else json.dumps(source)


def _skip_cell(cell):
    nbg = _dict(_dict(cell.get("metadata")).get("nbgrader"))
    if nbg.get("grade") and not nbg.get("solution"):
        return True
    return bool(SKIPPED_TAGS & set(cell_tags(cell)))


@functools.lru_cache(maxsize=4096)
def to_python(source):
    """A cell's IPython source -> Python, keeping line numbers, by IPython's own
    TransformerManager: `%magic`, `!cmd` and `x = !cmd` become calls on
    get_ipython(), which the child makes a no-op. A cell magic whose body is
    Python (%%time, ...) keeps its body; any other (%%bash, %%html) becomes a call
    that does nothing. IPython is imported here only: plain .py grading never pays for it.
    Memoised (a pure function of the text): a class's notebooks share most of their cells,
    and the transformer costs milliseconds per cell."""
    from IPython.core.inputtransformer2 import TransformerManager
    lines = source.split("\n")
    first = lines[0].lstrip()
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if magic in CELL_MAGIC_PYTHON_BODY:
            return "\n" + to_python("\n".join(lines[1:]))
    try:
        code = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython could not transform it: Python reports the error
        return source
    return code[:-1] if code.endswith("\n") and not source.endswith("\n") else code


def definitions_only(code):
    """`code` with only its top-level def/class/import statements (other lines blank,
    so line numbers stay); '' if it does not parse."""
    try:
        tree = parse(code)
    except SyntaxError:
        return ""
    lines = code.split("\n")
    keep = set()
    for node in tree.body:
        if isinstance(node, DEFINITIONS):
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            keep.update(range(first - 1, node.end_lineno))
    return "\n".join(line if i in keep else "" for i, line in enumerate(lines))


LOADERS = {".py": load_py_file, ".ipynb": load_notebook}
