"""Static checks on submitted source text: the second line behind runtime evidence.

Used to enforce rules like "fit by gradient descent, no closed-form solver"
(the first line is grader.checks.evidence, which watches what the function
calls while it runs). The child sends the source of a function and of every
submission function or class it refers to (transitively, class methods
included), plus what each global name of those functions refers to, so that
the parent judges names by what they ARE: `np.linalg.solve` or an alias of
it is a solver, the student's own helper named `solve` is not.
"""
import ast
import textwrap

from grader.checks.student import STUDENT_FILES

CLOSED_FORM_SOLVERS = {"solve", "lstsq", "inv", "pinv", "polyfit", "cho_solve",
                       "lu_solve", "solve_triangular", "tensorsolve", "tensorinv"}
OWN = "submission"  # the origin of a name bound to the student's own function or class


def find_calls(sources, forbidden, origins=None):
    """[(function name, line, called name)] for each forbidden call or reference.

    Args: sources: {function name: source text}; forbidden: set of bare names
    (matched as `name`, `mod.name` or `a.b.name`); origins: {function name:
    {global name: origin}} from `collect_origins` (None: judge names alone).
    A name whose chain starts at one of the student's own functions or classes
    (origin OWN) is theirs, whatever it is called; so is a local variable.
    A global bound to a forbidden library function under another name
    (`from numpy.linalg import lstsq as best`) is reported by that function's name.
    """
    hits = []
    for fname, text in sources.items():
        try:
            tree = ast.parse(textwrap.dedent(text))
        except SyntaxError:
            continue
        names = (origins or {}).get(fname)
        local = _locals(tree) if names is not None else set()
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else (
                node.id if isinstance(node, ast.Name) else None)
            if name is None:
                continue
            root = _root(node)
            if names is not None and (names.get(root) == OWN or root in local - set(names)):
                continue
            if name in forbidden:
                hits.append((fname, getattr(node, "lineno", 0), name))
            elif isinstance(node, ast.Name) and names is not None:
                real = str(names.get(name, "")).rsplit(".", 1)[-1]
                if real in forbidden and real != name:
                    hits.append((fname, getattr(node, "lineno", 0), f"{name} (= {names[name]})"))
    return hits


def _root(node):
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _locals(tree):
    """Names a function binds itself: arguments and assignment targets."""
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.arg):
            out.add(n.arg)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            out.add(n.id)
    return out


def _dedent(text):
    return textwrap.dedent(text)


def _is_students_function(fn, namespace):
    """Defined in the grading namespace or in one of the student's own files."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    return code is not None and (getattr(getattr(fn, "__func__", fn), "__globals__", None)
                                 is namespace or code.co_filename in STUDENT_FILES)


def _is_students_class(cls, module):
    if getattr(cls, "__module__", None) == module:
        return True
    return any(getattr(getattr(m, "__code__", None), "co_filename", None) in STUDENT_FILES
               for m in vars(cls).values())


def _submission_functions(func, namespace, limit=50):
    """Child side: (qualified name, function) for func and the submission's functions
    and class methods it refers to, transitively. A function is the submission's if it
    was defined in its namespace or in one of its files (each .py file is a module of
    its own, grader/child/modules.py); others (numpy's) are skipped."""
    seen, todo, count = set(), [func], 0
    module = namespace.get("__name__")
    while todo and count < limit:
        fn = todo.pop()
        if isinstance(fn, type):
            if _is_students_class(fn, module) and id(fn) not in seen:
                seen.add(id(fn))
                todo += [m for m in vars(fn).values() if callable(m) or isinstance(
                    m, (staticmethod, classmethod, property))]
            continue
        fn = getattr(fn, "__func__", None) or getattr(fn, "fget", None) or fn
        code = getattr(fn, "__code__", None)
        if code is None or id(code) in seen or not _is_students_function(fn, namespace):
            continue
        seen.add(id(code))
        count += 1
        yield fn.__qualname__, fn
        for name in _global_names(code):
            target = fn.__globals__.get(name)
            if callable(target):
                todo.append(target)


def _global_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _global_names(const)
    return names


def collect_sources(func, namespace, limit=50):
    """Child side: {qualified name: source text} of func and the submission
    functions (and methods of submission classes) it refers to."""
    import inspect
    out = {}
    for qualname, fn in _submission_functions(func, namespace, limit):
        try:
            out[qualname] = inspect.getsource(fn)
        except (OSError, TypeError):
            continue
    return out


def collect_origins(func, namespace, limit=50):
    """Child side: {qualified name: {global name: origin}} for the same functions as
    collect_sources. origin is OWN for the student's own functions and classes, the
    module's name for a module, 'module.name' for a library function, else the type."""
    out = {}
    for qualname, fn in _submission_functions(func, namespace, limit):
        out[qualname] = {name: _origin(fn.__globals__[name], namespace)
                         for name in _global_names(fn.__code__) if name in fn.__globals__}
    return out


def _origin(obj, namespace):
    import types
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    if _is_students_function(obj, namespace) or (
            isinstance(obj, type) and _is_students_class(obj, namespace.get("__name__"))):
        return OWN
    module, name = getattr(obj, "__module__", None), getattr(obj, "__name__", None)
    if isinstance(module, str) and isinstance(name, str):
        return f"{module}.{name}"
    return type(obj).__name__


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
