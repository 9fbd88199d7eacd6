"""The in-notebook session: probes run on a live namespace in this very process.

Used by `check()` / `check_all()` in a student's kernel and by nbgrader's test
cells. Same protocol as the isolated sessions (start / probe / stop / output)
and the same plain-data replies, judged by the same parent-side verify; but
student code shares the process, so nothing here is a security boundary.
"""
import contextlib
import io
import signal
import threading
import time
import warnings

from grader.checks import registry, student
from grader.child.main import run_probe
from grader.execution.session import ChildFault


class InProcessSession:
    """A grading session whose 'submission' is a live namespace in this process.

    Same protocol as isolation.ChildSession (start/probe/stop/output); the
    probe runs `child.run_probe` on the namespace and the reply is plain
    wire data, judged by the parent-side verify exactly as in a child.
    """

    def __init__(self, load_request, namespace):
        self.load_request, self.namespace = load_request, namespace
        self.captured = io.StringIO()
        # CPU seconds of this kernel process during the last probe: for the "used X of Y
        # CPU-s" line of a self-check only (official grading measures in the parent).
        self.last_cpu_s = None

    def start(self):
        registry.load_assignment_checks(self.load_request["assignment"])
        return {"op": "loaded", "chunks": [], "import_s": 0.0}

    def probe(self, request, budget):
        """budget: a cputime.Budget; in the student's own kernel only its CPU
        seconds serve, as a plain wall-clock alarm (a convenience, not a guarantee)."""
        files = _cell_files(self.namespace)
        added = files - student.STUDENT_FILES
        student.STUDENT_FILES.update(added)  # so error messages point into the notebook
        timer = _Timer()
        cpu0 = time.process_time()
        try:
            with _captured(self.captured), _alarm(budget.cpu_s, timer):
                reply = run_probe(request, student.Student(self.namespace))
        except _TimeLimit:  # the alarm rang just after the probe returned
            timer.fired = True
        finally:
            student.STUDENT_FILES.difference_update(added)
            self.last_cpu_s = time.process_time() - cpu0
        if timer.fired:
            raise ChildFault("timeout", f"ran longer than the {budget.cpu_s:g} s limit")
        err = reply.get("error") or {}
        if isinstance(err.get("message"), str):
            for name in files:
                err["message"] = err["message"].replace(f"({name} line", f"({_cell_label(name)} line")
        return reply

    def stop(self):
        pass

    def output_mark(self):
        return len(self.captured.getvalue())

    def output(self, since=None):
        return self.captured.getvalue()[since or 0:]


def _cell_files(namespace):
    """Source file names of the functions the notebook defined itself."""
    import types
    return {v.__code__.co_filename for v in list(namespace.values())
            if isinstance(v, types.FunctionType) and v.__globals__ is namespace}


def _cell_label(filename):
    """'In [7]' for an IPython cell file (as Jupyter shows the cell, and as official grading
    names it: submission/load.py CellNames), else the name."""
    try:
        from IPython import get_ipython
        number = get_ipython().compile._filename_map.get(filename)
        if number is not None:
            return f"In [{number}]"
    except Exception:  # noqa: BLE001 - no IPython, or another version of it
        pass
    return filename


class _Timer:
    fired = False


class _TimeLimit(BaseException):
    """Raised in the probed code when the exercise's time runs out."""


@contextlib.contextmanager
def _alarm(seconds, timer):
    """Interrupt the probe at the deadline (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield timer
        return

    def on_alarm(signum, frame):
        timer.fired = True
        raise _TimeLimit("time limit exceeded")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield timer
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _captured(buffer):
    """stdout, stderr and warnings of the probed code go to buffer, not the notebook."""
    with warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                buffer.write(f"{w.category.__name__}: {w.message}\n")
