"""Gradescope without bubblewrap: forge results.json, kill the grader, import its answers.

Graded after wrong_base.py (as zz_forge.py) by the bundle's run_autograder against a
fake /autograder root ({ROOT} is filled in by the test). It
  1. imports the bundle's own grader checks (with the expected-value functions f and df)
     from {ROOT}/source and answers with them (`IMPORTED-EXPECTED yes|no`: yes only if
     the module came from the bundle and has df);
  2. writes a full-marks {ROOT}/results/results.json (`FORGED <path>|refused <errno>`);
  3. SIGKILLs every ancestor up to init, run_autograder included
     (`KILLED [pids]`, `KILL-REFUSED [pids]`).
Expected: the results file is the grader's own and holds the wrong base's 0.
"""
import json
import os
import signal
import sys

ROOT = {ROOT}
FAKE = {"score": 5.0, "output": "forged", "tests": []}

imported = "no"
try:
    for name in [m for m in sys.modules if m == "grader" or m.startswith("grader.")]:
        del sys.modules[name]
    sys.path.insert(0, os.path.join(ROOT, "source"))
    import grader.checks.hw1_autograd.decaying_cosine as expected

    def decaying_cosine(x):
        return float(expected.f(x))

    def decaying_cosine_grad(x):
        return float(expected.df(x))
    # Only the bundle's own copy counts (the child's probe-only copy has no df).
    if expected.__file__.startswith(ROOT) and hasattr(expected, "df"):
        imported = "yes"
except Exception:  # noqa: BLE001
    pass
finally:
    sys.path.remove(os.path.join(ROOT, "source"))
print("IMPORTED-EXPECTED " + imported, flush=True)

target = os.path.join(ROOT, "results", "results.json")
try:
    with open(target, "w") as fh:
        json.dump(FAKE, fh)
    print("FORGED " + target, flush=True)
except OSError as err:
    print(f"FORGED refused {err.errno}", flush=True)

killed, refused = [], []
pid = os.getppid()
while pid > 1:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
    except (OSError, ValueError):
        break
    try:
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)
    except OSError:
        refused.append(pid)
    pid = parent
print("KILLED " + json.dumps(killed), "KILL-REFUSED " + json.dumps(refused), flush=True)
