"""Generate each assignment's notebook from one source.

The exercise code lives in solutions/<assignment>/*.py (between solution
markers); the teaching narrative lives in solutions/<assignment>/_notebook.py,
a jupytext percent-format script. A code cell of the narrative whose first
line is

    # include: trid.py                 (the whole file after its docstring)
    # include: trid.py trid trid_grad  (only these top-level functions)

is replaced by that exercise code. Code cells tagged `demo` (jupytext:
`# %% tags=["demo"]`) are teaching material that only uses the exercise
functions: `grader grade` runs only their def/class/import statements
(submission/load.py), so a helper defined there counts for grading as it does
for check() in the kernel, while a slow plot or an endless loop there costs
nothing. The narrative tells students this rule. The narrative's line
`from grader.notebook import check, check_all` becomes the notebook's first code
cell (SETUP_CELL): if the grader is not installed for the kernel, it says in one
line what to run. Three variants come out of one source:

    student    assignments/<a>/<a>.ipynb: solution regions become stubs
    reference  the same with the reference code (run by the tests)
    nbgrader   solution cells keep the markers and carry nbgrader metadata;
               each `check("ex")` cell becomes one autograder test cell per
               check of course.yml (points from there, hidden ones inside
               ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS)

An assignment without a narrative gets a plain notebook: per exercise (in
course.yml order) its docstring, its code and a check cell. Cell ids are
deterministic, so `grader build --check` can compare the committed files.
"""
import ast
import re
from pathlib import Path

# demo: teaching code (plots, worked examples), grading runs only its definitions
from grader.submission.load import CHECK_TAG, DEMO_TAG

NARRATIVE = "_notebook.py"
INCLUDE = re.compile(r"^#\s*include:\s*(\S+\.py)((?:\s+[A-Za-z_]\w*)*)\s*$")
CHECK_CALL = re.compile(r"^\s*check\(\s*['\"](\w+)['\"]\s*\)\s*$")
CHECK_ALL_CALL = re.compile(r"^\s*check_all\(.*\)\s*$")
VARIANTS = ("student", "reference", "nbgrader")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# As a Python kernel writes it: `jupyter nbconvert --to script` of a notebook saved unrun then
# writes a .py (which grades like the notebook), not a .txt.
LANGUAGE_INFO = {"name": "python", "file_extension": ".py", "mimetype": "text/x-python",
                 "nbconvert_exporter": "python"}
SETUP_IMPORT = "from grader.notebook import check, check_all"
# A narrative's SETUP_IMPORT line becomes this cell, the notebook's first code cell: wherever
# Jupyter starts the kernel, a missing install is one line saying what to do, and the check
# cells after it print that line again instead of stopping Run All with a NameError.
SETUP_CELL = """\
# The self-check: check("...") after each exercise, check_all() at the end.
try:
    from grader.notebook import check, check_all
except ImportError as err:  # the bundle is not installed for this kernel's Python
    print(f"check() cannot run ({err}): in a terminal, in the folder of README.txt, run "
          "`python -m pip install -r requirements.txt`, then restart this kernel.")

    def check(*args, **kwargs):
        print("check() cannot run: see the first code cell.")
    check_all = check"""


class NotebookSourceError(ValueError):
    """The narrative cannot be turned into a notebook (message names file and cell)."""


# ----------------------------------------------------------------- sources
def exercise_text(path, names, variant, course=None):
    """The code of an exercise file (or some of its functions) in one variant; with a
    course, `{{ full_marks }}` lines become the exercise's targets."""
    from grader.authoring.stubs import make_stub, strip_markers
    from grader.authoring.targets import expand
    path = Path(path)
    text = expand(path.read_text(encoding="utf-8"), course, path.parent.name, path.stem)
    part = _select(text, names, Path(path).name)
    if variant == "student":
        return make_stub(part, Path(path).name)
    if variant == "reference":
        return strip_markers(part)
    return part


def _select(text, names, filename):
    """Whole file after its module docstring, or the named top-level functions."""
    tree = ast.parse(text, filename)
    lines = text.splitlines(keepends=True)
    if not names:
        body = tree.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
            lines = lines[body[0].end_lineno:]
        return "".join(lines).strip("\n") + "\n"
    defs = definitions(tree)
    parts = []
    for name in names:
        if name not in defs:
            raise NotebookSourceError(f"{filename}: no top-level function '{name}' to include; "
                                      f"defined: {', '.join(defs)}")
        start, end = defs[name]
        while end < len(lines) and (not lines[end].strip() or lines[end][:1].isspace()):
            end += 1  # indented comments after the body, e.g. ### END SOLUTION
        parts.append("".join(lines[start:end]).strip("\n"))
    return "\n\n\n".join(parts) + "\n"


def definitions(tree):
    """{name: (first line index, end line)} of a module's top-level functions and
    classes, decorators included (0-based start, 1-based end: a slice of its lines)."""
    return {n.name: (min([n.lineno] + [d.lineno for d in n.decorator_list]) - 1, n.end_lineno)
            for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def function_sources(text):
    """{name: source} of the top-level functions and classes of a module's text."""
    lines = text.splitlines(keepends=True)
    return {name: "".join(lines[a:b]).rstrip("\n")
            for name, (a, b) in definitions(ast.parse(text)).items()}


def top_level_functions(path):
    return list(definitions(ast.parse(Path(path).read_text(encoding="utf-8"))))


def narrative_cells(folder, course, assignment):
    """The narrative as jupytext cells, or a generated default one."""
    import jupytext
    source = Path(folder) / NARRATIVE
    if source.exists():
        nb = jupytext.reads(source.read_text(encoding="utf-8"), fmt="py:percent")
        return nb.cells, source.name
    return _default_cells(folder, course, assignment), "(generated)"


def _default_cells(folder, course, assignment):
    from nbformat.v4 import new_code_cell, new_markdown_cell
    spec = course.assignment(assignment)
    cells = [new_markdown_cell(f"# {spec.title}\n\nFill in every `raise NotImplementedError()` "
                               "below, then run the check cell after it. `check_all()` at the "
                               "end runs every public check."),
             new_code_cell(SETUP_CELL)]
    for path in _exercise_files(folder, course, assignment):
        cells += _exercise_cells(path, course, assignment)
    cells.append(new_code_cell(f'check_all("{assignment}")'))
    return cells


def _exercise_files(folder, course, assignment):
    """Exercise files in course.yml order, then any others alphabetically."""
    order = list(course.assignment(assignment).exercises)
    files = [p for p in Path(folder).glob("*.py") if not p.name.startswith("_")]
    return sorted(files, key=lambda p: (order.index(p.stem) if p.stem in order else len(order),
                                        p.name))


def _exercise_cells(path, course, assignment):
    """Title, docstring, code and (if course.yml knows it) check cell of one exercise file."""
    from nbformat.v4 import new_code_cell, new_markdown_cell
    exercises = course.assignment(assignment).exercises
    title = exercises[path.stem].title if path.stem in exercises else path.stem
    from grader.authoring.targets import expand
    doc = ast.get_docstring(ast.parse(expand(path.read_text(encoding="utf-8"), course,
                                             assignment, path.stem))) or ""
    cells = [new_markdown_cell(f"## {title}\n\n```\n{doc}\n```" if doc else f"## {title}"),
             new_code_cell(f"# include: {path.name}")]
    if path.stem in exercises:
        cells.append(new_code_cell(f'check("{path.stem}")'))  # targets: see build_notebook
    return cells


def _with_new_exercises(cells, folder, course, assignment):
    """A narrative plus a plain section for each exercise file it never includes.

    So a file added to an assignment shows up in its notebook without anyone
    editing the narrative (before the closing check_all cell, if any).
    """
    named = {INCLUDE.match(c.source.split("\n", 1)[0].strip()).group(1) for c in cells
             if c.cell_type == "code" and c.source and INCLUDE.match(c.source.split("\n", 1)[0].strip())}
    extra = [cell for path in _exercise_files(folder, course, assignment) if path.name not in named
             for cell in _exercise_cells(path, course, assignment)]
    if not extra:
        return cells
    at = len(cells)
    if cells and cells[-1].cell_type == "code" and CHECK_ALL_CALL.match(cells[-1].source):
        at -= 1
    return cells[:at] + extra + cells[at:]


# ---------------------------------------------------------------- building
def build_notebook(root, course, assignment, variant="student"):
    """An nbformat v4 notebook of one assignment in one variant."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    from grader.authoring.targets import markdown as markdown_targets
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    folder = Path(root) / "solutions" / assignment
    cells, where = narrative_cells(folder, course, assignment)
    cells = _with_new_exercises(cells, folder, course, assignment)
    out, included, tested = [], set(), set()
    for i, cell in enumerate(cells, 1):
        src = cell.source
        first = src.split("\n", 1)[0].strip() if src else ""
        if cell.cell_type == "code" and INCLUDE.match(first):
            out.append(_include_cell(folder, where, i, src, variant, included, assignment, course))
        elif cell.cell_type == "code" and CHECK_CALL.match(src):
            exercise = CHECK_CALL.match(src).group(1)
            course.checks_for(assignment, [exercise])  # unknown exercise -> ConfigError
            out.append(new_markdown_cell(markdown_targets(course, assignment, exercise)))
            if variant == "nbgrader":
                out += _test_cells(course, assignment, exercise)
                tested.add(exercise)
            else:
                out.append(_tagged(new_code_cell(src.strip())))
        elif cell.cell_type == "code" and CHECK_ALL_CALL.match(src):
            if variant != "nbgrader":
                out.append(_tagged(new_code_cell(src.strip())))
        else:
            tags = [t for t in cell.metadata.get("tags", []) if t == DEMO_TAG]
            cell.metadata = {"tags": tags} if tags else {}
            out += _setup_split(cell) if cell.cell_type == "code" else [cell]
    _require_complete(folder, where, included)
    if variant == "nbgrader":
        for exercise in course.assignment(assignment).exercises:
            if exercise not in tested:
                out += _test_cells(course, assignment, exercise)
    nb = new_notebook(cells=out, metadata={"kernelspec": dict(KERNELSPEC),
                                           "language_info": dict(LANGUAGE_INFO)})
    for n, cell in enumerate(nb.cells):
        cell.id = f"{assignment[:40]}-{n:03d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.source = cell.source.strip("\n")
    nbformat.validate(nb)
    return nb


def _setup_split(cell):
    """[SETUP_CELL, the cell without its SETUP_IMPORT line] if it has one, else [cell]."""
    from nbformat.v4 import new_code_cell
    lines = cell.source.split("\n")
    if SETUP_IMPORT not in (line.strip() for line in lines):
        return [cell]
    cell.source = "\n".join(ln for ln in lines if ln.strip() != SETUP_IMPORT).strip("\n")
    return [new_code_cell(SETUP_CELL)] + ([cell] if cell.source.strip() else [])


def _include_cell(folder, where, index, src, variant, included, assignment, course=None):
    from nbformat.v4 import new_code_cell
    lines = src.split("\n")
    match = INCLUDE.match(lines[0].strip())
    filename, names = match.group(1), match.group(2).split()
    path = folder / filename
    if not path.exists():
        raise NotebookSourceError(f"{where} cell {index}: includes {filename}, which is not in "
                                  f"solutions/{folder.name}/")
    rest = "\n".join(lines[1:]).strip("\n")
    code = exercise_text(path, names, variant, course).rstrip("\n") + ("\n\n" + rest if rest else "")
    included.update((filename, n) for n in (names or top_level_functions(path)))
    cell = new_code_cell(code)
    if variant == "nbgrader" and "### BEGIN SOLUTION" in code:
        stem = Path(filename).stem
        cell.metadata["nbgrader"] = {
            "grade": False, "grade_id": f"{stem}-{'-'.join(names) or 'all'}"[:60].replace("_", "-"),
            "locked": False, "schema_version": 3, "solution": True, "task": False}
    return cell


def _require_complete(folder, where, included):
    missing = [f"{p.name}:{name}" for p in sorted(folder.glob("*.py")) if not p.name.startswith("_")
               for name in top_level_functions(p) if (p.name, name) not in included]
    if missing:
        raise NotebookSourceError(f"{where}: these exercise functions are in no `# include:` "
                                  f"cell, so students would never see them: {', '.join(missing)}")


def _tagged(cell):
    cell.metadata["tags"] = [CHECK_TAG]
    return cell


def test_cell_source(assignment, exercise, check):
    """The code of one autograder test cell (its last value is the points earned)."""
    call = f'grade_check("{assignment}", "{exercise}", "{check.name}")'
    head = (f"# Autograder test: {exercise} / {check.name} ({check.points:g} point"
            f"{'' if check.points == 1 else 's'}{', hidden' if check.hidden else ''}).\n"
            "from grader.notebook import grade_check\n")
    if check.hidden:
        return head + f"### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS"
    return head + call


def _test_cells(course, assignment, exercise):
    from nbformat.v4 import new_code_cell
    cells = []
    for check in course.checks_for(assignment, [exercise]):
        cell = new_code_cell(test_cell_source(assignment, exercise, check))
        cell.metadata["nbgrader"] = {
            "grade": True, "grade_id": f"test-{exercise}-{check.name}".replace("_", "-"),
            "locked": True, "points": check.points, "schema_version": 3,
            "solution": False, "task": False}
        cells.append(cell)
    return cells


def notebook_text(nb):
    import nbformat
    return nbformat.writes(nb) + "\n"


def notebook_targets(root, course):
    """[(assignment, student notebook path)] for every assignment with solutions."""
    root = Path(root)
    return [(a, root / "assignments" / a / f"{a}.ipynb") for a in course.spec.assignments
            if (root / "solutions" / a).is_dir()]


def build_notebooks(root, course=None, write=True):
    """Regenerate every student notebook; return the paths changed (or stale)."""
    from grader.config import load_course
    course = course or load_course(Path(root) / "course.yml")
    changed = []
    for assignment, dst in notebook_targets(root, course):
        text = notebook_text(build_notebook(root, course, assignment, "student"))
        if not dst.exists() or dst.read_text(encoding="utf-8") != text:
            changed.append(dst)
            if write:
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_text(text, encoding="utf-8")
    return changed
