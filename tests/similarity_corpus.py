"""A class of independent hw1 submissions with planted copies, for `grader similarity`.

Independent students: each gets, per exercise, a different correct alternative of
tests/alternatives/hw1_autograd/ (no two students share one), plus the hand-written
submissions of tests/similarity/hw1_autograd/ (written apart, one style each).
Planted copies are made from them the ways copying students do it (see PLANTS).
"""
import io
import json
import random
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALTERNATIVES = ROOT / "tests" / "alternatives" / "hw1_autograd"
HANDWRITTEN = ROOT / "tests" / "similarity" / "hw1_autograd"


def alternatives_by_exercise():
    out = {}
    for path in sorted(ALTERNATIVES.glob("*.py")):
        match = re.search(r"^# exercise: (\w+)", path.read_text(), re.M)
        out.setdefault(match.group(1), []).append(path)
    return out


def independent_students():
    """{student: {file name: source}}: nobody shares a source with anybody else."""
    students = {}
    for ex, paths in alternatives_by_exercise().items():
        for i, path in enumerate(paths):
            students.setdefault(f"alt{i}", {})[f"{ex}.py"] = path.read_text()
    for folder in sorted(p for p in HANDWRITTEN.iterdir() if p.is_dir()) \
            if HANDWRITTEN.is_dir() else []:
        students[folder.name] = {p.name: p.read_text() for p in sorted(folder.glob("*.py"))}
    return students


# ------------------------------------------------------------------ how students copy
KEEP = {"self", "True", "False", "None", "np", "ag_np", "autograd", "grad", "range", "len",
        "float", "int", "print", "abs", "min", "max", "sum", "zip", "enumerate", "list",
        "dict", "copy", "deepcopy", "torch", "math", "isinstance", "tuple", "str", "dir"}


def rename_and_recomment(source, required, seed=0):
    """Every identifier the student chose (locals, parameters' uses, helpers) renamed, every
    comment rewritten, every docstring replaced; layout kept (tokenize round trip)."""
    rng = random.Random(seed)
    names = {}
    out = []
    toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for i, tok in enumerate(toks):
        kind, text = tok.type, tok.string
        prev = toks[i - 1].string if i else ""
        if kind == tokenize.NAME and not _keyword(text) and text not in KEEP \
                and text not in required and prev != ".":
            text = names.setdefault(text, f"{rng.choice(['val', 'tmp', 'q', 'z'])}_{len(names)}")
        elif kind == tokenize.COMMENT and not text.startswith("# exercise"):
            text = "# " + rng.choice(["compute it", "step", "see lecture", "main part"])
        elif kind == tokenize.STRING and text.startswith(('"""', "'''")):
            text = '"""My implementation."""'
        out.append((kind, text))
    return tokenize.untokenize(out)


def _keyword(text):
    import keyword
    return keyword.iskeyword(text)


def reorder_and_reformat(source, seed=0):
    """Top-level statements shuffled (imports first), the whole file re-printed by ast."""
    import ast
    tree = ast.parse(source)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    rest = [n for n in tree.body if n not in imports]
    random.Random(seed).shuffle(rest)
    tree.body = imports + rest
    return ast.unparse(tree)


def as_notebook(files):
    """The .py files pasted into one notebook, a code cell per file, markdown between."""
    cells = []
    for name, source in files.items():
        cells.append({"cell_type": "markdown", "metadata": {}, "source": f"## {name}"})
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None,
                      "outputs": [], "source": source})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def write_class(folder, students):
    """One folder per student: <student>/<file> (grade-all's layout)."""
    for student, files in students.items():
        d = Path(folder) / student
        d.mkdir(parents=True)
        for name, text in files.items():
            (d / name).write_text(text)
    return Path(folder)
