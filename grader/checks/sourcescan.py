"""The parent's static scan of the graded source: what a "how" rule can check unforged.

Parent side only. `GradedSource` reads the chunks of the submission as the parent
loaded them (`Submission.chunks`: the very text the child runs), so nothing the
submission does at run time changes what it sees; the child never sends source.
It resolves names statically, as Python would bind them: each `.py` file is a
module of its own (`from gd_tools import descend` follows into gd_tools.py, if it
is graded), notebook cells share one namespace, and the last binding wins.

    src = GradedSource(chunks)
    src.find_calls(["fit_linreg_with_bias"], CLOSED_FORM_SOLVERS)
        -> [Hit("fit_linreg_with_bias", "linreg_bias.py", 12, "np.linalg.lstsq")]
    src.uses_argument_values("minimize_trid", "init_x_D")  -> True / False / None
    src.tampering()  -> ["`grader.checks.evidence` (attack.py line 3)", ...]

`find_calls` walks the function and everything of the student's it refers to
(helpers, classes and their methods, module-level values such as
`solver = np.linalg.lstsq`, functions of sibling files), so the student's own
helper named `solve` is not a solver, and `from numpy.linalg import lstsq as best`,
`getattr(np.linalg, "lst" + "sq")` or a solver in a helper class are.

What it cannot see: code built at run time (exec of a string, a module the
loader does not grade). Verifiers therefore use it only to TAKE points away;
runtime evidence (evidence.py) covers what it cannot see for the ordinary
student, and `tampering` flags the code that could hide from both.
"""
import ast
from dataclasses import dataclass

# Closed-form linear algebra: solving the normal equations or factorising X (QR,
# Cholesky, SVD, eigenvectors) and back-substituting. Eigen/singular VALUES only
# (eigvalsh, svd(..., compute_uv=False), norm) are fine: they choose a step size.
CLOSED_FORM_SOLVERS = frozenset({
    "solve", "lstsq", "inv", "pinv", "pinvh", "polyfit", "tensorsolve", "tensorinv",
    "cho_solve", "cho_factor", "cholesky", "cholesky_ex", "cholesky_solve", "lu", "lu_factor",
    "lu_factor_ex", "lu_solve", "solve_triangular", "triangular_solve", "solve_ex", "inv_ex",
    "qr", "svd", "eig", "eigh", "solve_banded", "solveh_banded", "inverse"})
# Spectral decompositions are a closed form only through their vectors; their values
# alone choose a step size. name -> (index of the values in the result, the named
# tuple's field for them, the keyword that turns the vectors off).
SPECTRAL = {"svd": (1, "S", "compute_uv"), "eig": (0, "eigenvalues", None),
            "eigh": (0, "eigenvalues", None)}

# Names through which code can reach into the grader in its own process: the
# staged grader package, the interpreter's module table, frames, code objects,
# and code built from strings (which no static scan can read).
TAMPER_MODULES = frozenset({"grader", "importlib", "ctypes", "gc", "builtins"})
TAMPER_NAMES = frozenset({"exec", "eval", "compile", "__import__", "__builtins__"})
TAMPER_ATTRS = frozenset({"_getframe", "settrace", "setprofile", "f_globals",
                          "f_back", "__code__", "__globals__", "__closure__", "__wrapped__"})

# Reading only these of an argument reads its shape, not its values.
SHAPE_ATTRS = frozenset({"shape", "size", "ndim", "dtype", "__len__"})
SHAPE_FUNCS = frozenset({"len", "shape", "size", "ndim", "zeros_like", "ones_like",
                         "empty_like", "result_type"})


@dataclass(frozen=True)
class Hit:
    """One forbidden use: in function `function`, file/cell `chunk`, line `line` (of
    that file), the text `name` (e.g. 'np.linalg.lstsq', 'best (= numpy.linalg.lstsq)')."""
    function: str
    chunk: str
    line: int
    name: str

    def __str__(self):
        return f"`{self.name}` in {self.function} ({self.chunk} line {self.line})"


@dataclass
class _Chunk:
    name: str
    tree: ast.Module
    first_line: int
    module: str


class GradedSource:
    """The submission's graded source, parsed once (lazily), with static name binding.

    Args: chunks: Submission chunks (grader.submission.load.Chunk) or their wire
    dicts ({"name", "code", "first_line", "module"}), in the order the child runs them.
    """

    def __init__(self, chunks):
        self._raw = [_fields(c) for c in chunks]
        self._chunks = None
        self._scopes = None
        self._memo = {}  # every check of a submission asks again (verify, then flags)

    # ------------------------------------------------------------ binding
    @property
    def chunks(self):
        if self._chunks is None:
            self._chunks = []
            for name, code, first_line, module in self._raw:
                try:
                    tree = ast.parse(code)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue  # the child reports what does not run; nothing to scan
                self._chunks.append(_Chunk(name, tree, first_line, module))
        return self._chunks

    @property
    def scopes(self):
        """{module: {name: binding}}: "" is the grading namespace (cells, and every
        file's names copied in after it runs); a file's module sees only its own."""
        if self._scopes is None:
            self._scopes = {"": {}}
            for chunk in self.chunks:
                for name, binding in _top_level_bindings(chunk):
                    if chunk.module:
                        self._scopes.setdefault(chunk.module, {})[name] = binding
                    if not name.startswith("__"):
                        self._scopes[""][name] = binding
        return self._scopes

    def _resolve(self, scope, name, depth=0):
        """What `name` is bound to in module `scope`: ("own", node, chunk),
        ("value", expr, chunk), ("graded_module", m), ("lib", "numpy.linalg.lstsq") or None."""
        binding = self.scopes.get(scope, {}).get(name)
        if binding is None or depth > 20:
            return None
        if binding[0] == "module":
            target = binding[1]
            return ("graded_module", target) if target in self.scopes and target else (
                "lib", target)
        if binding[0] == "from":
            module, attr = binding[1], binding[2]
            if module in self.scopes and module:
                return self._resolve(module, attr, depth + 1)
            return ("lib", f"{module}.{attr}")
        return binding

    # ------------------------------------------------------------ closure
    def _closure(self, functions):
        """[(label, node, scope, chunk)]: the named functions of the grading namespace
        and every definition or module-level value of the student's they refer to."""
        out, seen = [], set()
        todo = [(name, self._resolve("", name)) for name in functions]
        while todo and len(out) < 200:
            label, binding = todo.pop(0)
            if binding is None or binding[0] not in ("own", "value") or id(binding[1]) in seen:
                continue
            seen.add(id(binding[1]))
            node, chunk = binding[1], binding[2]
            scope = chunk.module
            out.append((label, node, scope, chunk))
            local = _locals(node) if not isinstance(node, ast.expr) else set()
            for sub in ast.walk(node):
                root = sub.id if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) \
                    else None
                if root and root not in local:
                    todo.append((root, self._resolve(scope, root)))
                if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and \
                        sub.value.id not in local:
                    target = self._resolve(scope, sub.value.id)
                    if target and target[0] == "graded_module":
                        todo.append((f"{target[1]}.{sub.attr}",
                                     self._resolve(target[1], sub.attr)))
        return out

    def find_calls(self, functions, forbidden, modules=()):
        """[Hit] for each use of a forbidden library function (bare names, matched as
        `name`, `mod.name`, an alias of it, or `getattr(mod, "name")`) or of a library
        module whose top-level package is in `modules`, anywhere in the closure of
        `functions` (names in the grading namespace). The student's own names never hit.
        Source too deep to walk proves nothing: [] (the scan only ever takes points away)."""
        key = ("calls", tuple(functions), frozenset(forbidden), frozenset(modules))
        if key not in self._memo:
            try:
                self._memo[key] = self._find_calls(functions, forbidden, modules)
            except RecursionError:
                self._memo[key] = []
        return list(self._memo[key])

    def _find_calls(self, functions, forbidden, modules):
        hits = []
        for label, node, scope, chunk in self._closure(functions):
            local = _locals(node) if not isinstance(node, ast.expr) else set()
            values_only = _values_only_calls(node)
            for sub in ast.walk(node):
                if id(sub) in values_only:
                    continue
                text = self._forbidden_use(sub, scope, local, forbidden, modules)
                if text:  # the student's text, shown in messages: bounded
                    hits.append(Hit(_qualname(label, node)[:80], chunk.name[:80],
                                    chunk.first_line + getattr(sub, "lineno", 1) - 1, text[:80]))
        return _unique(hits)

    def _forbidden_use(self, node, scope, local, forbidden, modules):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                f"{node.module or ''}.{a.name}" for a in node.names]
            bad = [n for n in names if n.split(".")[0] in modules
                   or n.rsplit(".", 1)[-1] in forbidden and n.split(".")[0] not in self.scopes]
            return f"import {bad[0]}" if bad else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "getattr" and len(node.args) >= 2:
            attr = _folded_string(node.args[1])
            root = _root(node.args[0])
            if attr in forbidden and not self._is_own(scope, root, local):
                return f"getattr({ast.unparse(node.args[0])}, {attr!r})"
            return None
        if isinstance(node, ast.Attribute):
            root = _root(node)
            if self._is_own(scope, root, local):
                return None
            if node.attr in forbidden:
                return ast.unparse(node)
            if isinstance(node.value, ast.Name):
                target = self._resolve(scope, node.value.id)
                if target and target[0] == "lib" and target[1].split(".")[0] in modules:
                    return ast.unparse(node)
            return None
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            target = self._resolve(scope, node.id)
            if target is None or target[0] != "lib":
                return None
            real = target[1]
            if real.rsplit(".", 1)[-1] in forbidden:
                return node.id if real.rsplit(".", 1)[-1] == node.id else f"{node.id} (= {real})"
            if real.split(".")[0] in modules:
                return f"{node.id} (= {real})" if node.id != real else node.id
        return None

    def _is_own(self, scope, root, local):
        """Is the chain's root name the student's (a local, or their own def/class/file)?"""
        if root is None or root in local:
            return root is not None
        target = self._resolve(scope, root)
        return target is not None and target[0] in ("own", "graded_module")

    # ------------------------------------------------------------ data flow
    def uses_argument_values(self, function, argument):
        """Does `function`'s result depend on the VALUES of its parameter `argument`
        (not only its shape: len(), .shape, .size, zeros_like)? True, False, or None
        when the function or the parameter is not a plain def the scan can read.
        Conservative: any expression mentioning a tainted name taints its targets,
        and a call with a tainted argument taints its result."""
        try:
            return self._uses_argument_values(function, argument)
        except RecursionError:
            return None

    def _uses_argument_values(self, function, argument):
        binding = self._resolve("", function)
        if binding is None or binding[0] != "own" or not isinstance(
                binding[1], (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        node = binding[1]
        if argument not in {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}:
            return None
        tainted = {argument}
        for _ in range(50):  # to a fixed point: loops carry taint backwards too
            before = len(tainted)
            for sub in ast.walk(node):
                for targets, value in _assignments(sub):
                    if value is not None and _carries(value, tainted):
                        tainted |= {n.id for t in targets for n in ast.walk(t)
                                    if isinstance(n, ast.Name)}
            if len(tainted) == before:
                break
        returns = [r.value for r in ast.walk(node) if isinstance(r, (ast.Return, ast.Yield))
                   and r.value is not None]
        return any(_carries(r, tainted) for r in returns)

    # ------------------------------------------------------------ tampering
    def tampering(self, limit=5):
        """['`exec` (linreg_bias.py line 12)', ...]: places anywhere in the graded source
        that can reach the grader inside the student's process or run code no static
        scan reads (a review flag, never a deduction: see the module docstring)."""
        if "tampering" not in self._memo:
            self._memo["tampering"] = self._tampering(limit)
        return list(self._memo["tampering"])

    def _tampering(self, limit):
        out = []
        for chunk in self.chunks:
            for node in ast.walk(chunk.tree):
                text = _tamper_text(node)
                if text:
                    out.append(f"`{text}` ({chunk.name} line "
                               f"{chunk.first_line + getattr(node, 'lineno', 1) - 1})")
                    if len(out) >= limit:
                        return out
        return out


def source_flags(source, functions, forbidden, modules=(), label="closed form"):
    """Review flags from the parent's scan: the forbidden uses in the closure of
    `functions`, and anything in the graded source that can tamper with the grader.
    source: a GradedSource or None (no flags)."""
    if source is None:
        return []
    out = []
    hits = source.find_calls(functions, forbidden, modules)
    if hits:
        out.append(f"{label}: " + "; ".join(str(h) for h in hits[:3]) + " (source scan)")
    tamper = source.tampering()
    if tamper:
        out.append("can reach the grader inside its own process (runtime evidence may be "
                   "forged; review by hand): " + ", ".join(tamper))
    return out


# ---------------------------------------------------------------- helpers
def _fields(chunk):
    if isinstance(chunk, dict):
        return (str(chunk.get("name", "")), str(chunk.get("code", "")),
                int(chunk.get("first_line", 1) or 1), str(chunk.get("module", "") or ""))
    return chunk.name, chunk.code, chunk.first_line, chunk.module or ""


def _top_level_bindings(chunk):
    """(name, binding) for each name a chunk binds at module level, in order; compound
    statements (if, try, with, for) are entered, function and class bodies are not."""
    todo = list(chunk.tree.body)
    while todo:
        stmt = todo.pop(0)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt.name, ("own", stmt, chunk)
        elif isinstance(stmt, ast.Import):
            for a in stmt.names:
                yield (a.asname or a.name.split(".")[0],
                       ("module", a.name if a.asname else a.name.split(".")[0]))
        elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
            for a in stmt.names:
                if a.name != "*":
                    yield a.asname or a.name, ("from", stmt.module, a.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and stmt.value:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        yield n.id, ("value", stmt.value, chunk)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo[:0] = [s for s in getattr(stmt, field, []) or [] if isinstance(s, ast.AST)]


def _locals(node):
    """Names a function (or class) binds itself: arguments, assignment targets, imports,
    nested defs. A global statement keeps a name global."""
    out, declared_global = set(), set()
    for n in ast.walk(node):
        if isinstance(n, ast.arg):
            out.add(n.arg)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.add(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            out |= {a.asname or a.name.split(".")[0] for a in n.names}
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not node:
            out.add(n.name)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            declared_global |= set(n.names)
    return out - declared_global


def _qualname(label, node):
    return label if isinstance(node, ast.expr) else getattr(node, "name", label)


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _folded_string(node):
    """The value of a string expression built from constants ("lst" + "sq"), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded_string(node.left), _folded_string(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = [_folded_string(v) for v in node.values]
        return "".join(parts) if all(p is not None for p in parts) else None
    return None


def _values_only_calls(node):
    """{id of the callee node} of the spectral decompositions in `node` whose vectors are
    never used: svd(..., compute_uv=False), eigh(h)[0], svd(x).S, `vals, _ = eigh(h)`."""
    parents = {id(c): p for p in ast.walk(node) for c in ast.iter_child_nodes(p)}
    loads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Load)}
    out = set()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(
            call.func, "id", "")
        if name in SPECTRAL and _vectors_unused(call, SPECTRAL[name], parents.get(id(call)),
                                                loads):
            out.add(id(call.func))
    return out


def _vectors_unused(call, spec, parent, loads):
    index, field, keyword = spec
    if keyword and any(k.arg == keyword and isinstance(k.value, ast.Constant)
                       and k.value.value is False for k in call.keywords):
        return True
    if isinstance(parent, ast.Subscript) and parent.value is call:
        return isinstance(parent.slice, ast.Constant) and parent.slice.value == index
    if isinstance(parent, ast.Attribute):
        return parent.attr == field
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(
            parent.targets[0], (ast.Tuple, ast.List)):
        others = [t for i, t in enumerate(parent.targets[0].elts) if i != index]
        return all(isinstance(t, ast.Name) and t.id not in loads for t in others)
    return False


def _assignments(node):
    """[(targets, value)] that a statement binds (assignments, loops, with, walrus)."""
    if isinstance(node, ast.Assign):
        return [(node.targets, node.value)]
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [([node.target], node.value)]
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return [([node.target], node.iter)]
    if isinstance(node, ast.NamedExpr):
        return [([node.target], node.value)]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [([i.optional_vars], i.context_expr) for i in node.items if i.optional_vars]
    return []


def _carries(expr, tainted):
    """Does expr read the value of a tainted name (shape-only reads do not count)?"""
    todo = [expr]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Attribute) and node.attr in SHAPE_ATTRS:
            continue
        if isinstance(node, ast.Call):
            fname = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
                node.func, "id", None)
            if fname in SHAPE_FUNCS:
                continue
        if isinstance(node, ast.Name) and node.id in tainted:
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def _release_check_import(node):
    """The release notebook's own first cell, `from grader.notebook import check, check_all`
    (the self-check the student is given): not tampering."""
    return node.module == "grader.notebook" and all(
        a.name in ("check", "check_all") and a.asname in (None, a.name) for a in node.names)


def _tamper_text(node):
    if isinstance(node, ast.Import):
        bad = [a.name for a in node.names if a.name.split(".")[0] in TAMPER_MODULES]
        return f"import {bad[0]}" if bad else None
    if isinstance(node, ast.ImportFrom):
        if _release_check_import(node):
            return None
        top = (node.module or "").split(".")[0]
        return f"from {node.module} import ..." if top in TAMPER_MODULES else None
    if isinstance(node, ast.Name) and node.id in TAMPER_NAMES:
        return node.id
    if isinstance(node, ast.Attribute) and (node.attr in TAMPER_ATTRS or node.attr == "modules"
                                            and _root(node) == "sys"):
        return ast.unparse(node)[:80]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
            node.value.split(".")[0] == "grader" or node.value in TAMPER_ATTRS):
        return repr(node.value)[:80]
    return None


def _unique(hits):
    seen, out = set(), []
    for h in hits:
        if (h.chunk, h.line, h.name) not in seen:
            seen.add((h.chunk, h.line, h.name))
            out.append(h)
    return out
