"""The student's .py files as importable modules inside the child.

A folder's files import each other as when the student runs them
(`from trid import run_many_iters_of_gradient_descent`). Each file is executed
ONCE, as a module of its own name, chunk by chunk (a file that does not parse
is split into statement groups: a broken group costs only its own names); the
grading namespace then gets each module's names, in the course's file order.
A file imported by another before its turn is not run again. A file named like
a standard-library or already imported module (random.py, autograd.py) is run
but not served: the grader's own imports must keep working.
"""
import importlib.abc
import importlib.util
import sys


class StudentModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the submission's files by module name from their chunks.

    Args: chunks: [(index, chunk dict with "module")]; run(chunk, namespace) ->
    error text or None; errors: {index: error}, filled as chunks run."""

    def __init__(self, chunks, run):
        self.by_module, self.run, self.errors = {}, run, {}
        for index, chunk in chunks:
            self.by_module.setdefault(chunk["module"], []).append((index, chunk))

    def find_spec(self, name, path=None, target=None):
        if path is not None or name not in self.by_module or name in sys.stdlib_module_names:
            return None
        return importlib.util.spec_from_loader(name, self, origin=name + ".py")

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module):
        module.__dict__.setdefault("__builtins__", __builtins__)
        for index, chunk in self.by_module[module.__name__]:
            self.errors[index] = self.run(chunk, module.__dict__)

    def install(self):
        """Before the path finder: the student's trid.py wins over an installed `trid`."""
        from importlib.machinery import PathFinder
        at = next((i for i, f in enumerate(sys.meta_path) if f is PathFinder), len(sys.meta_path))
        sys.meta_path.insert(at, self)

    def load_into(self, name, namespace):
        """Import module `name` (once) and copy its public names into `namespace`."""
        existing = sys.modules.get(name)
        if name in sys.stdlib_module_names or (
                existing is not None and getattr(existing, "__loader__", None) is not self):
            module = _run_apart(self, name)  # numpy.py, autograd.py: already imported
        else:
            try:
                module = importlib.import_module(name)
            except BaseException:  # noqa: BLE001 - errors are per chunk, recorded in exec_module
                module = sys.modules.get(name)
        if module is not None and getattr(module, "__loader__", None) is self:
            namespace.update({k: v for k, v in vars(module).items() if not k.startswith("__")})


def _run_apart(finder, name):
    """A file named like a standard module: run it as a module that is not importable."""
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, finder))
    finder.exec_module(module)
    return module
