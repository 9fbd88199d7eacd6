"""`grader mutation` (`make mutation`): generated mutants of the reference solutions.

The selftest's mutants (tests/mutants/) are the mistakes someone thought of; this
module generates mutants mechanically, so that a check that never varies what the
docstring lets vary shows up as a SURVIVOR (issue 19).

Where: only statements inside `### BEGIN SOLUTION` / `### END SOLUTION` regions of
solutions/<assignment>/*.py (what a student writes); never signatures or docstrings.

Operators (AST, one change per mutant):
  standard   arith (+ - * / ** swapped), compare (< <= > >= == != swapped),
             constant (c+1, c-1, 0, 1), negation (unary - / not dropped),
             return (the value replaced by None), delete (a statement becomes `pass`)
  students specialise to the examples they see
             dim      `x.shape[k]`, `len(x)`, `x.ndim`, `x.size` replaced by a value the
                      public checks use (their `dims` params) or 1 / 2
             loop     a `for ... in ITER` runs its first LOOP_K items; a `while` stops
                      after LOOP_K iterations
             copy     `.detach()`, `.clone()`, `.copy()`, `copy.copy`/`deepcopy`/`np.copy` dropped
             keyword  a keyword argument dropped (the callee's default is used)
             dtype    float64 -> float32

A mutant is graded exactly like a selftest mutant: an override file holding the
mutated top-level function, run after the reference in its exercise's module
(`selftest.Case`, `selftest.run_case`, the fork-server pool `ZygotePool`), graded on
the exercise named by the solution file, with the selftest's short mutant time limit.

Why our own operators and not mutmut or cosmic-ray (both were considered): they
mutate whole files and run a test command per mutant, with their own result
stores; neither restricts mutation to the solution regions nor takes custom
operators (mutmut) without a plug-in of about this size (cosmic-ray), and a test
command per mutant would pay a fresh process with numpy/autograd/torch imports
(~2 s) instead of a fork from a preloaded server. The AST operators here are ~200
lines and run through the pool the selftest already uses. Pinning cosmic-ray
with a plug-in that calls `mutants()` below remains possible later.

Equivalent mutants: tests/mutation_equivalent.yml lists survivors that cannot be
killed (the mutant computes the same thing), each with a reason; the report shows
them apart from the unexplained survivors.
"""
import ast
import copy
import random
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.authoring.selftest import Case, run_case
from grader.execution.forkserver import ZygotePool

BEGIN = re.compile(r"^\s*###\s*BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*###\s*END SOLUTION\s*$")
LOOP_K = 3
DIM_DEFAULTS = (1, 2)
EQUIVALENT_FILE = Path("tests") / "mutation_equivalent.yml"

_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv}
_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
            ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
            ast.In: ast.NotIn, ast.NotIn: ast.In}
_COPY_METHODS = {"detach", "clone", "copy"}
_COPY_FUNCTIONS = {"deepcopy", "copy"}       # copy.deepcopy(x), deepcopy(x), np.copy(x)


@dataclass
class Mutant:
    assignment: str
    exercise: str
    file: str            # the solution file's name, "nn_fit.py"
    function: str        # the top-level function it overrides
    line: int            # line of the mutated node in the solution file
    operator: str
    original: str        # that line of the solution, stripped
    mutated: str         # the mutated statement, unparsed on one line
    source: str          # the override file: the mutated top-level function

    @property
    def key(self):
        return f"{self.assignment}/{self.file}:{self.line}:{self.operator}"


# ------------------------------------------------------------------ regions
def solution_regions(text):
    """[(first, last)] line numbers (1-based, inclusive) strictly between BEGIN/END markers."""
    regions, start = [], None
    for n, line in enumerate(text.splitlines(), 1):
        if BEGIN.match(line):
            start = n + 1
        elif END.match(line) and start is not None:
            regions.append((start, n - 1))
            start = None
    return regions


def _inside(node, regions):
    first, last = node.lineno, getattr(node, "end_lineno", node.lineno)
    return any(a <= first and last <= b for a, b in regions)


# ------------------------------------------------------------------ operators
def _num(node):
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


def _variants(node, parent_field, dims):
    """[(operator, replacement)] for one node; a replacement is a node, a list of
    statements (for a statement), or None (skip)."""
    out = []
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _ARITH:
        new = copy.deepcopy(node)
        new.op = _ARITH[type(node.op)]()
        out.append(("arith", new))
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _COMPARE:
                new = copy.deepcopy(node)
                new.ops[i] = _COMPARE[type(op)]()
                out.append(("compare", new))
    if _num(node) and parent_field != "slice_of_shape":
        c = node.value
        for v in dict.fromkeys((c + 1, c - 1, type(c)(0), type(c)(1))):
            if v != c:
                out.append(("constant", ast.Constant(v)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        out.append(("negation", node.operand))
    if isinstance(node, ast.Return) and node.value is not None:
        out.append(("return", ast.Return(ast.Constant(None))))
    if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.Pass)):
        out.append(("delete", [ast.Pass()]))
    # dimension reads
    dim_read = (
        (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
         and node.value.attr == "shape" and _num(node.slice))
        or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "len" and len(node.args) == 1)
        or (isinstance(node, ast.Attribute) and node.attr in ("ndim", "size")
            and isinstance(node.ctx, ast.Load)))
    if dim_read:
        for v in dims:
            out.append(("dim", ast.Constant(v)))
    if isinstance(node, ast.For):
        new = copy.deepcopy(node)
        new.iter = ast.Subscript(ast.Call(ast.Name("list", ast.Load()), [node.iter], []),
                                 ast.Slice(None, ast.Constant(LOOP_K)), ast.Load())
        out.append(("loop", new))
    if isinstance(node, ast.While):
        counter = "_mutation_k"
        new = copy.deepcopy(node)
        new.body = ast.parse(f"{counter} += 1\nif {counter} > {LOOP_K}:\n    break").body + new.body
        out.append(("loop", [ast.parse(f"{counter} = 0").body[0], new]))
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in _COPY_METHODS and not node.args \
                and not node.keywords:
            out.append(("copy", f.value))
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
        if name in _COPY_FUNCTIONS and len(node.args) == 1 and not node.keywords:
            out.append(("copy", node.args[0]))
        for i, kw in enumerate(node.keywords):
            if kw.arg is not None:
                new = copy.deepcopy(node)
                del new.keywords[i]
                out.append(("keyword", new))
    if isinstance(node, ast.Attribute) and node.attr == "float64":
        new = copy.deepcopy(node)
        new.attr = "float32"
        out.append(("dtype", new))
    if isinstance(node, ast.Constant) and node.value == "float64":
        out.append(("dtype", ast.Constant("float32")))
    return out


class _Walk(ast.NodeTransformer):
    """Pre-order walk numbering every node; with `target` (index, replacement) set,
    replaces that node and returns the tree. Statement replacements may be lists."""

    def __init__(self, target=None):
        self.n, self.target, self.seen = 0, target, []

    def visit(self, node):
        i = self.n
        self.n += 1
        self.seen.append(node)
        if self.target and self.target[0] == i:
            return self.target[1]
        return self.generic_visit(node)


def _statement_of(tree, index):
    """The innermost statement (a node of `tree`) containing the node at pre-order index."""
    walk = _Walk()
    walk.visit(tree)
    node = walk.seen[index]
    best = None
    for cand in walk.seen:
        if isinstance(cand, ast.stmt) and cand.lineno <= node.lineno \
                and node.end_lineno <= cand.end_lineno and not isinstance(cand, ast.FunctionDef):
            best = cand
    return best


def public_dims(course, assignment, exercise):
    """The dimensions the public checks of an exercise use (their `dims` params), else 1, 2."""
    found = []
    for check in course.checks_for(assignment):
        if check.exercise != exercise or check.hidden:
            continue
        for v in getattr(check.params, "dims", None) or []:
            if isinstance(v, int) and v not in found:
                found.append(v)
    return tuple(dict.fromkeys(tuple(found) + DIM_DEFAULTS))


def mutants_of_text(text, assignment, exercise, file, dims=DIM_DEFAULTS):
    """Every mutant of one solution file's text (solution regions only)."""
    regions = solution_regions(text)
    tree = ast.parse(text)
    lines = text.splitlines()
    out = []
    for fn in tree.body:
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        walk = _Walk()
        walk.visit(fn)
        parents = {}
        for p in walk.seen:
            for child in ast.iter_child_nodes(p):
                parents[id(child)] = p
        for index, node in enumerate(walk.seen):
            if not hasattr(node, "lineno") or not _inside(node, regions) or node is fn:
                continue
            parent = parents.get(id(node))
            field = ("slice_of_shape" if isinstance(parent, ast.Subscript) and node is parent.slice
                     and isinstance(parent.value, ast.Attribute) and parent.value.attr == "shape"
                     else "")
            for operator, replacement in _variants(node, field, dims):
                new_fn = _Walk((index, replacement)).visit(copy.deepcopy(fn))
                ast.fix_missing_locations(new_fn)
                stmt = _statement_of(new_fn, index) if not isinstance(replacement, list) else None
                if isinstance(replacement, list):
                    mutated = "; ".join(ast.unparse(s).splitlines()[0] for s in replacement)
                else:
                    mutated = ast.unparse(stmt if stmt is not None else new_fn).splitlines()[0]
                out.append(Mutant(assignment, exercise, file, fn.name, node.lineno, operator,
                                  lines[node.lineno - 1].strip(), mutated,
                                  ast.unparse(new_fn) + "\n"))
    return out


def mutants(course, assignment, exercises=None):
    """Every mutant of an assignment's reference solutions (only `exercises` if given).
    A solution file is graded as the exercise of its name."""
    folder = course.root / "solutions" / assignment
    known = list(course.assignment(assignment).exercises)
    out = []
    for path in sorted(folder.glob("*.py")):
        if path.stem not in known or (exercises and path.stem not in exercises):
            continue
        out += mutants_of_text(path.read_text(encoding="utf-8"), assignment, path.stem,
                               path.name, public_dims(course, assignment, path.stem))
    return out


# ------------------------------------------------------------------ equivalents
def load_equivalent(path):
    """[{assignment, file, operator, mutated, reason, line?}] from the equivalent file
    (missing file: none). Every entry needs a reason."""
    path = Path(path)
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("equivalent") or []
    for e in entries:
        missing = [k for k in ("assignment", "file", "operator", "mutated", "reason")
                   if not str(e.get(k) or "").strip()]
        if missing:
            raise ValueError(f"{path.name}: entry {e!r} lacks {', '.join(missing)}")
    return entries


def equivalent_reason(mutant, entries):
    """The reason an entry gives for this mutant, or None. Matched on assignment, file,
    operator and the mutated statement (and the line, when the entry gives one)."""
    for e in entries:
        if (e["assignment"], e["file"], e["operator"], e["mutated"].strip()) == (
                mutant.assignment, mutant.file, mutant.operator, mutant.mutated.strip()) \
                and e.get("line") in (None, mutant.line):
            return e["reason"]
    return None


# ------------------------------------------------------------------ running
@dataclass
class Result:
    mutant: Mutant
    killed: bool
    lost: tuple            # checks that lost points
    detail: str


def run_mutants(course, selected, workers=2, progress=None):
    """Grade each mutant as a selftest mutant, through the fork-server pool."""
    results = [None] * len(selected)
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        cases = []
        for i, m in enumerate(selected):
            path = Path(tmp) / f"m{i:05d}_{m.exercise}.py"
            path.write_text(f'"""{m.operator}: {m.mutated}"""\n# exercise: {m.exercise}\n'
                            + m.source, encoding="utf-8")
            cases.append(Case(m.assignment, "mutant", path.stem, path, m.exercise,
                              f"{m.operator}: {m.mutated}"))
        zygotes, pool = ZygotePool(course), ThreadPoolExecutor(max_workers=max(1, workers))
        try:
            run = lambda c: run_case(c, course, zygotes.session_factory(c.assignment))  # noqa: E731
            futures = {pool.submit(run, c): i for i, c in enumerate(cases)}
            for future in as_completed(futures):
                i = futures[future]
                o = future.result()
                results[i] = Result(selected[i], o.ok, o.lost, o.detail)
                if progress:
                    progress(results[i])
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            zygotes.close()
    return results


def select(all_mutants, sample=None, seed=0):
    """All mutants, or a reproducible random sample of `sample` of them (in file order)."""
    if not sample or sample >= len(all_mutants):
        return list(all_mutants)
    picked = sorted(random.Random(seed).sample(range(len(all_mutants)), sample))
    return [all_mutants[i] for i in picked]


def format_report(results, course, equivalent=(), total=None):
    """Kill rate per exercise and per check, then survivors: explained apart."""
    lines = []
    by_ex = {}
    for r in results:
        by_ex.setdefault((r.mutant.assignment, r.mutant.exercise), []).append(r)
    lines.append("kill rate per exercise:")
    for (a, e), rs in sorted(by_ex.items()):
        k = sum(r.killed for r in rs)
        lines.append(f"  {a}.{e:<28} {k:4d} / {len(rs):<4d} {100 * k / len(rs):5.1f}%")
    lines.append("kill rate per check (mutants of its exercise that lost points on it):")
    for (a, e), rs in sorted(by_ex.items()):
        for check in course.checks_for(a):
            if check.exercise == e:
                k = sum(check.name in r.lost for r in rs)
                name = f"{a}.{e}.{check.name}" + (" (hidden)" if check.hidden else "")
                lines.append(f"  {name:<52} {k:4d} / {len(rs):<4d} {100 * k / len(rs):5.1f}%")
    survivors = [r for r in results if not r.killed]
    explained = [(r, equivalent_reason(r.mutant, equivalent)) for r in survivors]
    unexplained = [r for r, why in explained if why is None]
    lines.append(f"survivors: {len(survivors)} ({len(unexplained)} unexplained)")
    for r in unexplained:
        m = r.mutant
        lines.append(f"  SURVIVED {m.assignment}/{m.file}:{m.line} [{m.operator}] "
                     f"{m.original}  ->  {m.mutated}")
        if r.detail and not r.detail.startswith("NOT CAUGHT"):
            lines.append(f"           {r.detail[:160]}")
    for r, why in explained:
        if why is not None:
            m = r.mutant
            lines.append(f"  equivalent {m.assignment}/{m.file}:{m.line} [{m.operator}] "
                         f"{m.mutated}: {why}")
    k = sum(r.killed for r in results)
    of = f" (a sample of {total} mutants)" if total and total != len(results) else ""
    lines.append(f"mutation: {k} of {len(results)} killed"
                 + (f" ({100 * k / len(results):.1f}%)" if results else "") + of
                 + f"; {len(unexplained)} unexplained survivors")
    return "\n".join(lines)
