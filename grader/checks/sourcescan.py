"""Static checks on submitted source text (parent side; the text is parsed, never run).

Used to enforce rules like "fit by gradient descent, no closed-form solver".
The child sends the source of a function and of every submission function it
calls (transitively), so moving the solver into a helper does not hide it.
"""
import ast

from grader.checks.student import STUDENT_FILES

CLOSED_FORM_SOLVERS = {"solve", "lstsq", "inv", "pinv", "polyfit", "cho_solve",
                       "lu_solve", "solve_triangular", "tensorsolve", "tensorinv"}


def find_calls(sources, forbidden):
    """[(function name, line, called name)] for each forbidden call or reference.

    Args: sources: {function name: source text}; forbidden: set of bare names
    (matched as `name`, `mod.name` or `a.b.name`).
    """
    hits = []
    for fname, text in sources.items():
        try:
            tree = ast.parse(_dedent(text))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else (
                node.id if isinstance(node, ast.Name) else None)
            if name in forbidden:
                hits.append((fname, getattr(node, "lineno", 0), name))
    return hits


def _dedent(text):
    import textwrap
    return textwrap.dedent(text)


def collect_sources(func, namespace, limit=50):
    """Child side: source of func and of the submission functions it references.

    Args: func: a function; namespace: the submission's globals dict. A function is
    the submission's if it was defined there or in one of its files (each .py file is
    a module of its own, grader/child/modules.py); others (numpy's) are skipped.
    Returns {qualified name: source text}.
    """
    import inspect
    seen, todo, out = set(), [func], {}
    while todo and len(out) < limit:
        fn = todo.pop()
        code = getattr(fn, "__code__", None)
        if code is None or id(code) in seen or not (
                getattr(fn, "__globals__", None) is namespace
                or code.co_filename in STUDENT_FILES):
            continue
        seen.add(id(code))
        try:
            out[fn.__qualname__] = inspect.getsource(fn)
        except (OSError, TypeError):
            continue
        names = set(code.co_names) | {n for c in code.co_consts if hasattr(c, "co_names") for n in c.co_names}
        for name in names:
            target = fn.__globals__.get(name)
            if callable(target):
                todo.append(target)
    return out


def find_imports(sources, modules):
    """[(function name, line, module)] for each `import m` / `from m import ...`
    inside the given sources whose top-level package is in `modules`."""
    hits = []
    for fname, text in sources.items():
        try:
            tree = ast.parse(_dedent(text))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            hits += [(fname, node.lineno, n) for n in names if n.split(".")[0] in modules]
    return hits
