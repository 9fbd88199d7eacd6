"""Without bubblewrap, as the unprivileged uid: read the grader's files by their paths.

Graded after wrong_base.py (as zz_read.py). {PATHS} is filled in by the test with the
real paths of course.yml, solutions/, the grader's checks (with expected values), the
results folder and another student's submission. For each it tries to read a byte (a
file) or list it (a folder) and prints `READ-PATHS [readable paths]`; it also tries to
signal every process of the grader's uid (`KILL-PARENT <errno or 'killed'>`) and to
write into the results folder (`WROTE-RESULTS <path or error>`), and to make a user
namespace of its own (`UNSHARE <0 or errno>`: refused where the seccomp filter is loaded).
Expected: nothing readable, the kill and the write refused, the score of the wrong base (0).
"""
import json
import os
import signal

PATHS = {PATHS}
RESULTS_DIR = {RESULTS_DIR}

readable = []
for path in PATHS:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as fh:
                fh.read(1)
        readable.append(path)
    except OSError:
        pass
print("READ-PATHS " + json.dumps(readable), flush=True)

try:
    os.kill(os.getppid(), signal.SIGKILL)   # the grader itself (uid mode: no fork server)
    print("KILL-PARENT killed", flush=True)
except OSError as err:
    print(f"KILL-PARENT {err.errno}", flush=True)

try:
    target = os.path.join(RESULTS_DIR, "results.json")
    with open(target, "w") as fh:
        fh.write('{"score": 5.0}')
    print("WROTE-RESULTS " + target, flush=True)
except OSError as err:
    print(f"WROTE-RESULTS refused {err.errno}", flush=True)

import ctypes  # noqa: E402

libc = ctypes.CDLL(None, use_errno=True)
rc = libc.unshare(0x10000000)  # CLONE_NEWUSER: every capability again, inside it
print(f"UNSHARE {0 if rc == 0 else ctypes.get_errno()}", flush=True)
