"""Student A of a grade-all worker leaves files and a process behind for the next student.

Graded after the reference decaying_cosine.py (as zz_leave.py). It writes marker files
to /dev/shm, to dotfiles in $HOME ($HOME/.jail-{MARK} and $HOME/.config/jail-{MARK}), to
/tmp, to /, /dev and the jail's /sandbox (when it can), creates a System V shared memory
segment with a key made from {MARK} (it outlives its process), sets JAIL_LEFT={MARK} in its
environment, and starts a detached process (new session, reparented) that sleeps with
`{MARK}` in its command line. It prints `LEFT {json}` saying what it managed to create.
Expected: none of it reaches the next student of the same worker
(see reader_leftovers.py), and the sleeper is gone once grading ends.
"""
import json
import os
import subprocess
import sys

MARK = "{MARK}"
home = os.path.expanduser("~")
paths = [f"/dev/shm/jail-{MARK}", os.path.join(home, f".jail-{MARK}"),
         os.path.join(home, ".config", f"jail-{MARK}"), f"/tmp/jail-{MARK}",
         f"/jail-{MARK}", f"/dev/jail-{MARK}", f"/sandbox/jail-{MARK}"]
made = []
for path in paths:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write("left by the previous student\n")
        made.append(path)
    except OSError:
        pass

import ctypes
libc = ctypes.CDLL(None, use_errno=True)
SHM_KEY = int("{MARK}"[1:8], 16)
sysv = libc.shmget(SHM_KEY, 4096, 0o1000 | 0o666) >= 0   # IPC_CREAT
os.environ["JAIL_LEFT"] = MARK
os.putenv("JAIL_LEFT", MARK)

sleeper = None
try:
    # a grandchild in its own session: its parent exits at once, so it is reparented
    launcher = subprocess.Popen(
        [sys.executable, "-c",
         ("import subprocess, sys; subprocess.Popen([sys.executable, '-c', "
          "'import time; time.sleep(90)', sys.argv[1]], start_new_session=True, "
          "stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"),
         "sleeper-" + MARK],
        start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    launcher.wait(timeout=20)
    sleeper = "started"
except (OSError, subprocess.SubprocessError) as err:
    sleeper = f"{type(err).__name__}: {err}"
print("LEFT " + json.dumps({"files": made, "sleeper": sleeper, "home": home, "sysv": sysv}),
      flush=True)
