"""The child process: executes a submission and answers probe requests.

Runs untrusted code. It only ever sends plain data back (see wire.py) and
never decides a verdict. Protocol, one length-prefixed JSON message each way:
  parent -> {"op": "load", "assignment", "preload", "chunks", "path"}
  child  -> {"op": "loaded", "chunks": [{"name", "error"}], "import_s"}
  parent -> {"op": "probe", "kind", "cases"}
  child  -> {"op": "result", "id", "ok": true, "value"} | {... "ok": false, "error": {...}}
The control channel uses private copies of fds 0 and 1; the student's
stdin is /dev/null and their stdout and stderr both go to the output pipe.
"""
import linecache
import os
import sys
import time

from grader.checks import student
from grader.checks.student import STUDENT_FILES, MissingName, Student, chunk_names, describe_exception
from grader.child.modules import StudentModules


def main():
    ctrl_in = os.fdopen(os.dup(0), "rb")
    ctrl_out = os.fdopen(os.dup(1), "wb")
    _redirect_student_io()
    from grader import wire  # after the redirect: nothing of ours may print to fd 1
    request = wire.read_message(ctrl_in)
    namespace, loaded = load(request)
    wire.write_message(ctrl_out, loaded)
    student = Student(namespace)
    while True:
        try:
            request = wire.read_message(ctrl_in)
        except EOFError:
            return
        reply = run_probe(request, student)
        reply["id"] = request.get("id")  # which request this answers (see PipeSession.probe)
        wire.write_message(ctrl_out, reply)


def _redirect_student_io():
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)


def load(request):
    """Import preloads and the assignment's probes, then execute each chunk."""
    student.IN_CHILD = True
    from grader.checks import registry
    started = time.perf_counter()
    for module in request.get("preload", []):
        __import__(module)
    registry.load_assignment_checks(request["assignment"])
    import_s = time.perf_counter() - started
    if request.get("path"):  # the files handed in (a data file, a package): after everything
        sys.path.append(request["path"])
    namespace = {"__name__": "__submission__", "__builtins__": __builtins__,
                 "get_ipython": NoShell}
    chunks = run_chunks(request["chunks"], namespace)
    _flush()
    return namespace, {"op": "loaded", "chunks": chunks, "import_s": import_s}


def run_chunks(chunks, namespace):
    """Execute the chunks in order: a notebook cell in `namespace`, a .py file as its own
    importable module whose names are then copied into `namespace` (modules.py)."""
    files = [(i, c) for i, c in enumerate(chunks) if c.get("module")]
    finder = StudentModules(files, exec_chunk)
    finder.install()
    errors, done = {}, set()
    for i, c in enumerate(chunks):
        if not c.get("module"):
            errors[i] = exec_chunk(c, namespace)
        elif c["module"] not in done:
            done.add(c["module"])
            finder.load_into(c["module"], namespace)
    errors.update(finder.errors)
    return [{"name": c["name"], "error": errors.get(i)} for i, c in enumerate(chunks)]


class NoShell:
    """`get_ipython()` for notebook code: magics and shell escapes (which IPython's
    transformer turns into calls on it) do nothing in the grader."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def exec_chunk(chunk, namespace):
    """Execute one chunk; return None or a one-line description of its error."""
    name, code, first = chunk["name"], chunk["code"], chunk.get("first_line", 1)
    padded = "\n" * (first - 1) + code  # keep the original line numbers
    linecache.cache[name] = (len(padded), None, padded.splitlines(True), name)
    STUDENT_FILES.add(name)
    try:
        exec(compile(padded, name, "exec"), namespace)
    except SyntaxError as err:
        return f"{name} line {err.lineno}: SyntaxError: {err.msg}"
    except BaseException as err:  # noqa: BLE001 - student code may raise SystemExit too
        return describe_exception(err, {name})
    return None


def run_probe(request, student):
    """Call one kind's probe; return the result message (never raises)."""
    from grader import wire
    from grader.checks import registry
    kind = registry.get_kind(request["assignment"], request["exercise"], request["kind"])
    try:
        cases = wire.decode(request["cases"])
        value = kind.probe(student, cases)
        _flush()
        return {"op": "result", "ok": True, "value": wire.encode(value)}
    except MissingName as err:
        status, text = "missing", f"`{err.args[0]}` is not defined"
    except NotImplementedError as err:
        status, text = "not_attempted", describe_exception(err, chunk_names())
    except RecursionError as err:
        status, text = "error", "RecursionError: " + str(err)
    except BaseException as err:  # noqa: BLE001 - SystemExit from student code too
        status, text = "error", describe_exception(err, chunk_names())
    _flush()
    return {"op": "result", "ok": False, "error": {"status": status, "message": text}}


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a student may have replaced or closed it
            pass


if __name__ == "__main__":
    main()
