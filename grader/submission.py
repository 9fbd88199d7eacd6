"""Load a submission into ordered code chunks with a source map.

A chunk is one unit the child executes on its own, so a broken chunk costs
only the names it would have defined: a notebook cell, a .py file, or (when a
.py file does not parse) one top-level statement group of it. Chunk names
("trid.py", "cell 7") are the file names tracebacks and messages show.
"""
import ast
from dataclasses import dataclass, field
from pathlib import Path

from .sandbox_input import InputError, check_file, load_zip, safe_members

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

    def source_text(self):
        return "\n".join(c.code for c in self.chunks)


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


LOADERS = {".py": load_py_file}
