"""Probe-only copies of the check modules for the child's grader package.

The child needs each kind's `probe` (and whatever the probes call), but not the
parent's expected values: the analytic gradients, closed-form optima, exact GD
iterates and forward passes that `cases` and `verify` use. If those were in the
child, a submission could import them (`from grader.checks.hw1_autograd.trid
import trid_argmin`) and return the grader's own answers.

`strip_module(source)` keeps, by static analysis of the module's AST:
  - every class, as a shell holding only its `assignment`/`exercise`/`name`
    attributes and its `probe` method (so `@register` still registers it);
  - the top-level functions, classes, assignments and imports that kept code
    names, transitively (only bare names count: `sub.trid_grad` names the
    student's function, not ours);
and drops everything else: `Params`, `cases`, `verify` and the helpers only
they use. `grader selftest` run through the sandbox proves the probes still
work; tests/test_probe_lib.py proves the verifiers' helpers are gone.
"""
import ast
from pathlib import Path

SHELL_ATTRS = {"assignment", "exercise", "name"}
KEEP_METHODS = {"probe"}


def strip_package(folder, package="grader.checks"):
    """Rewrite every assignment's check module under folder (grader/checks in a staged
    copy) in place; the toolkit beside them (registry, numerics, ...) holds no expected
    values and stays whole.

    A helper module (common code, data generators) keeps exactly what kept
    code in other modules imports from it.
    """
    folder = Path(folder)
    paths = {".".join([package, *p.relative_to(folder).with_suffix("").parts]): p
             for p in sorted(folder.rglob("*.py"))
             if p.name != "__init__.py" and p.parent != folder}  # the toolkit stays whole
    stripped = strip_sources({name: p.read_text(encoding="utf-8") for name, p in paths.items()})
    for name, p in paths.items():
        p.write_text(stripped[name], encoding="utf-8")


def strip_module(source):
    """Return the probe-only version of one check module's source text."""
    return strip_sources({"module": source})["module"]


def strip_sources(sources):
    """{dotted module name: source} -> {name: probe-only source}.

    Each module keeps what its own kept code names; an import of a name from a
    sibling module (relative or absolute) makes that module keep it too.
    """
    bodies = {m: [_shell(n) if isinstance(n, ast.ClassDef) else n
                  for n in ast.parse(text).body] for m, text in sources.items()}
    kept = {id(n) for body in bodies.values() for n in body if isinstance(n, ast.ClassDef)}
    needed = {m: set() for m in bodies}
    for m, body in bodies.items():
        for n in body:
            if id(n) in kept:
                _need(n, m, needed)
    size = None
    while size != (len(kept), sum(map(len, needed.values()))):
        # Fixpoint: keep what kept code names, then what that names. Kept imports
        # are revisited because their module may come to need more of their names.
        size = (len(kept), sum(map(len, needed.values())))
        for m, body in bodies.items():
            for node in body:
                if id(node) in kept:
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        _need(node, m, needed)
                elif _defines(node) & needed[m]:
                    kept.add(id(node))
                    _need(node, m, needed)
    return {m: _render(body, kept, needed[m]) for m, body in bodies.items()}


def _need(node, module, needed):
    """Record the names a kept node uses, in its module and in modules it imports from."""
    if not isinstance(node, (ast.Import, ast.ImportFrom)):
        needed[module] |= _names(node)
    for n in ast.walk(node):
        if isinstance(n, ast.ImportFrom):
            target = _resolve(module, n)
            if target in needed:
                wanted = {a.name for a in n.names
                          if (a.asname or a.name) in needed[module] or n is not node}
                needed[target] |= wanted


def _resolve(module, node):
    if node.level == 0:
        return node.module
    base = module.split(".")[:-node.level]
    return ".".join(base + ([node.module] if node.module else []))


def _render(body, kept, needed):
    out = [n for n in body if id(n) in kept or _is_docstring(n) or _is_future(n)]
    out = [_trim_import(n, needed) if isinstance(n, (ast.Import, ast.ImportFrom)) else n
           for n in out]
    module = ast.Module(body=[n for n in out if n is not None], type_ignores=[])
    return ("# Probe-only copy made by grader.execution.staging: verifiers and expected values removed.\n"
            + ast.unparse(module) + "\n")


def _shell(cls):
    """The class with only its identity attributes and probe methods."""
    body = [n for n in cls.body if
            (isinstance(n, ast.Assign) and _defines(n) & SHELL_ATTRS)
            or (isinstance(n, ast.FunctionDef) and n.name in KEEP_METHODS)]
    shell = ast.ClassDef(name=cls.name, bases=cls.bases, keywords=cls.keywords,
                         body=body or [ast.Pass()], decorator_list=cls.decorator_list)
    return ast.copy_location(shell, cls)


def _defines(node):
    """Top-level names a statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _names(node):
    """Bare names a subtree loads, plus names it imports (imports inside functions)."""
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            found.add(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            found |= {a.name.split(".")[0] for a in n.names} | {
                a.asname for a in n.names if a.asname}
    return found


def _trim_import(node, needed):
    names = [a for a in node.names if (a.asname or a.name).split(".")[0] in needed]
    if not names:
        return None
    return ast.copy_location(type(node)(**{**{f: getattr(node, f) for f in node._fields},
                                           "names": names}), node)


def _is_docstring(node):
    return isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
        and isinstance(node.value.value, str)


def _is_future(node):
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"
