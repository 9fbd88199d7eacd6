"""Without bubblewrap: find course.yml, solutions/ and the grader's expected-value code.

Graded after wrong_base.py (as zz_find.py). The grading process and its ancestors are
visible in /proc, with their working directories, command lines (--course) and
environments (GRADER_COURSE). From each of those starting points (and from its own cwd)
it walks up looking for
  course.yml
  solutions/hw1_autograd/decaying_cosine.py       (the reference solution)
  grader/checks/hw1_autograd/decaying_cosine.py   (the checks with their expected values,
                                                   not the probes-only copy the child gets)
prints `SECRETS-FOUND [paths]`, and uses what it found: it runs the reference solution,
or imports the checks' own f and df and answers with them. (It stops climbing the process
tree at the grading process: what lies above it is the test's machinery, not the grader.)
Expected: it finds nothing and the submission keeps the 0 of its wrong base.
"""
import json
import os
import sys

RELS = ("course.yml", "solutions/hw1_autograd/decaying_cosine.py",
        "grader/checks/hw1_autograd/decaying_cosine.py")


def _read(path, mode="r"):
    try:
        with open(path, mode) as fh:
            return fh.read()
    except OSError:
        return b"" if "b" in mode else ""


def _ancestors():
    """Parent, grandparent, ... up to the first process running the grader."""
    pid, seen = os.getppid(), []
    while pid > 1 and pid not in seen:
        seen.append(pid)
        if b"grader" in _read(f"/proc/{pid}/cmdline", "rb").replace(b"grader.child", b""):
            break
        stat = _read(f"/proc/{pid}/stat")
        try:
            pid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (ValueError, IndexError):
            break
    return seen


starts = [os.getcwd()]
for pid in _ancestors():
    try:
        starts.append(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        pass
    for arg in _read(f"/proc/{pid}/cmdline", "rb").split(b"\0"):
        text = arg.decode("utf-8", "replace")
        if text.startswith("/"):
            starts.append(text if os.path.isdir(text) else os.path.dirname(text))
    for var in _read(f"/proc/{pid}/environ", "rb").split(b"\0"):
        key, _, value = var.decode("utf-8", "replace").partition("=")
        if key == "GRADER_COURSE" and value.startswith("/"):
            starts.append(value if os.path.isdir(value) else os.path.dirname(value))

found = set()
for start in starts:
    here = os.path.abspath(start)
    for _ in range(12):
        for rel in RELS:
            path = os.path.join(here, rel)
            text = _read(path)
            if rel.startswith("grader/") and "def df(" not in text:
                continue  # the probes-only copy: no expected values in it
            if text:
                found.add(path)
        here = os.path.dirname(here)
print("SECRETS-FOUND " + json.dumps(sorted(found)), flush=True)

for path in sorted(found):
    if path.endswith("solutions/hw1_autograd/decaying_cosine.py"):
        exec(_read(path), globals())  # noqa: S102 - the cheat
        break
else:
    for path in sorted(found):
        if path.endswith("grader/checks/hw1_autograd/decaying_cosine.py"):
            package_root = os.path.dirname(os.path.dirname(os.path.dirname(
                os.path.dirname(path))))
            for name in [m for m in sys.modules if m == "grader" or m.startswith("grader.")]:
                del sys.modules[name]
            sys.path.insert(0, package_root)
            try:
                import grader.checks.hw1_autograd.decaying_cosine as expected

                def decaying_cosine(x):
                    return float(expected.f(x))

                def decaying_cosine_grad(x):
                    return float(expected.df(x))
            except Exception as err:  # noqa: BLE001
                print("SECRETS-IMPORT failed", err)
            break
