"""Runtime evidence of HOW a student's function computes (child side, inside probes).

What a function calls while it runs sees what a static scan misses (a solver
reached through code built at run time, a module the loader does not grade).
But it is computed in the student's own process, so a submission that tampers
with the grader there can forge it. Hence the rule (docs/DEVELOPING.md, "Checks
with teeth"): evidence may only TAKE points away and raise review flags; a
missing or malformed report costs nothing, so a forged "clean" report gets at
most what the parent's own checks (values, `sourcescan.GradedSource`) grant.

`CallLog` temporarily wraps entry points with counters while a probe calls the
student's function, then restores them:

    with CallLog(SOLVERS + GRADIENTS, sub.namespace, watch=("trid_grad",)) as log:
        sub.minimize_trid(x0)
    log.counts  ->  {"solver": 0, "gradient": 412, "trid_grad": 400, ...}

Groups: "solver" (closed-form linear solvers of numpy, autograd.numpy, scipy and
torch), "gradient" (autograd's tracer, torch.autograd.backward / grad: every
reverse-mode or forward-mode derivative goes through one of them). Only modules
already imported are patched (the probe never imports a library the student did
not load). Names in the submission's namespace (and in `watch`) that are bound to
a watched object, e.g. `from numpy.linalg import lstsq as best_weights`, are
rebound to the counting wrapper too. Parent side: `describe_counts`.
"""
import math
import functools
import sys

from grader.checks.sourcescan import CLOSED_FORM_SOLVERS, SPECTRAL

# Spectral decompositions (svd, eig, eigh) also choose step sizes: a call alone proves
# nothing, so they are counted apart ("decomposition": a review flag, never a deduction);
# the parent's scan takes points when their vectors are used.
SOLVER_NAMES = tuple(sorted(CLOSED_FORM_SOLVERS - set(SPECTRAL)))
SOLVERS = [("solver" if name in SOLVER_NAMES else "decomposition", module, name)
           for module in ("numpy.linalg", "numpy", "autograd.numpy.linalg", "autograd.numpy",
                          "scipy.linalg", "torch.linalg", "torch")
           for name in SOLVER_NAMES + tuple(sorted(SPECTRAL))]
GRADIENTS = [("gradient", "autograd.core", "trace"),
             ("gradient", "torch.autograd", "backward"),
             ("gradient", "torch.autograd", "grad")]


class CallLog:
    """Count calls to library entry points and to named student functions.

    Args: entries: [(group, module name, attribute)]; namespace: the
    submission's globals (names bound to a watched object are rebound too);
    watch: names of submission functions to count, each under its own name.
    `counts` maps each group and each watched name to a number of calls,
    `called` maps 'module.attribute' to its count (for messages), and `first`
    is the first argument of the first call to any watched name, as a list of
    floats (where a descent started), or None.
    """

    def __init__(self, entries, namespace=None, watch=()):
        self.entries, self.namespace, self.watch = list(entries), namespace, tuple(watch)
        self.counts = {g: 0 for g, _, _ in self.entries}
        self.counts.update({name: 0 for name in self.watch})
        self.called = {}
        self.first = None
        self._undo = []

    def __enter__(self):
        wrapped = {}
        for group, module_name, attr in self.entries:
            module = sys.modules.get(module_name)
            original = getattr(module, attr, None) if module is not None else None
            if original is None or not callable(original):
                continue
            if id(original) not in wrapped:
                wrapped[id(original)] = self._wrap(original, group, f"{module_name}.{attr}")
            self._set(module, attr, wrapped[id(original)])
        if self.namespace is not None:
            scopes = _student_scopes(self.namespace)
            for scope in scopes:
                for name, value in list(scope.items()):
                    if id(value) in wrapped and callable(value):
                        self._set_item(scope, name, wrapped[id(value)])
            for name in self.watch:
                fn = self.namespace.get(name)
                if callable(fn):
                    counted = self._wrap(fn, name, name, first=True)
                    for scope in scopes:  # a file's own functions call it through its module
                        if scope.get(name) is fn:
                            self._set_item(scope, name, counted)
        return self

    def __exit__(self, *exc):
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        return False

    def _wrap(self, fn, group, label, first=False):
        log = self

        @functools.wraps(fn)
        def counted(*args, **kwargs):
            log.counts[group] = log.counts.get(group, 0) + 1
            log.called[label] = log.called.get(label, 0) + 1
            if first and log.first is None and args:
                log.first = _point(args[0])
            return fn(*args, **kwargs)
        return counted

    def _set(self, obj, attr, value):
        old = getattr(obj, attr)
        setattr(obj, attr, value)
        self._undo.append(lambda: setattr(obj, attr, old))

    def _set_item(self, mapping, key, value):
        old = mapping[key]
        mapping[key] = value
        self._undo.append(lambda: mapping.__setitem__(key, old))

    def report(self):
        """Plain data for the parent: {"counts": {...}, "called": {...}, "first": [...]}."""
        return {"counts": dict(self.counts), "called": dict(self.called), "first": self.first}


def _point(value):
    """A watched function's argument as a list of floats (autograd's box unwrapped), or []."""
    import numpy as np
    while hasattr(value, "_value"):  # autograd traces with ArrayBox(value)
        value = value._value
    try:
        return [float(v) for v in np.asarray(value, dtype=np.float64).ravel()[:1000]]
    except (TypeError, ValueError):
        return []


def _student_scopes(namespace):
    """The grading namespace and the globals of each student file's module (each .py file
    is a module of its own, grader/child/modules.py): where the student's code looks up
    names. Other modules' globals (numpy's) are never touched."""
    from grader.checks.student import STUDENT_FILES
    scopes, seen = [namespace], {id(namespace)}
    for value in list(namespace.values()):
        code = getattr(value, "__code__", None)
        scope = getattr(value, "__globals__", None)
        if isinstance(scope, dict) and id(scope) not in seen and \
                getattr(code, "co_filename", None) in STUDENT_FILES:
            seen.add(id(scope))
            scopes.append(scope)
    return scopes


# ----------------------------------------------------------------- parent side
def count(report, key):
    """The number of calls of group or watched name `key` in a CallLog report; None if
    the report is missing or malformed (then it proves nothing and costs nothing)."""
    if not isinstance(report, dict) or not isinstance(report.get("counts"), dict):
        return None
    value = report["counts"].get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):  # inf, nan: not a count
        return None
    return int(value)


def too_few(report, keys, minimum):
    """The number of calls of `keys` (summed) if a well-formed report shows fewer than
    `minimum`, else None: only a report that proves too few may cost points."""
    counts = [count(report, k) for k in keys]
    if any(c is None for c in counts):
        return None
    return sum(counts) if sum(counts) < minimum else None


def first_point(report):
    """Where the first watched call happened (a float array), or None if not reported."""
    point = report.get("first") if isinstance(report, dict) else None
    if not isinstance(point, list) or not point or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in point):
        return None
    import numpy as np
    return np.asarray(point, dtype=np.float64)


def flags(reports, function):
    """Review flags (plain text) from CallLog reports of `function`: closed-form calls,
    and spectral decompositions (a step size, or a closed form: a person can tell)."""
    called = sorted({s for r in reports for s in solvers_called(r)})
    spectral = sorted({s for r in reports for s in solvers_called(r, SPECTRAL)})
    return ([f"closed form: {', '.join(called)} called by {function} (run-time evidence)"]
            if called else []) + (
        [f"decomposition: {', '.join(spectral)} called by {function} (run-time evidence; "
         "a step size is fine, a solution from its vectors is not)"] if spectral else [])


def solvers_called(report, names=SOLVER_NAMES):
    """'numpy.linalg.lstsq (1 call)', ... for the entries of `names` a report saw, or []."""
    called = report.get("called", {}) if isinstance(report, dict) else {}
    if not isinstance(called, dict):
        return []
    return [f"{name} ({n} call{'s' if n != 1 else ''})" for name, n in sorted(called.items())
            if isinstance(name, str) and name.rsplit(".", 1)[-1] in names and "." in name]
