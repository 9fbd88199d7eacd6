"""Student B of a grade-all worker looks for what student A (leave_files_and_sleeper.py) left.

Graded after the reference decaying_cosine.py (as zz_read.py), right after A in the same
worker. It prints `LEFTOVERS {json}`: `files`, the marker files of A it can see (in
/dev/shm, $HOME dotfiles, /tmp, /, /dev, /sandbox), `processes`, the pids whose command
line holds `{MARK}` (A's sleeper), `sysv`, whether A's System V segment exists, `env`,
JAIL_LEFT in its environment, and `others`, the names of A's submission files it finds
in or next to its work dir and HOME (A's zz_leave.py).
Expected: files, processes and others empty, sysv false, env null; B scores full marks.
"""
import json
import os

MARK = "{MARK}"
home = os.path.expanduser("~")
paths = [f"/dev/shm/jail-{MARK}", os.path.join(home, f".jail-{MARK}"),
         os.path.join(home, ".config", f"jail-{MARK}"), f"/tmp/jail-{MARK}",
         f"/jail-{MARK}", f"/dev/jail-{MARK}", f"/sandbox/jail-{MARK}"]
seen = [p for p in paths if os.path.exists(p)]
procs = []
for entry in os.listdir("/proc"):
    if entry.isdigit() and int(entry) != os.getpid():
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if MARK.encode() in fh.read():
                    procs.append(int(entry))
        except OSError:
            pass
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
sysv = libc.shmget(int("{MARK}"[1:8], 16), 0, 0) >= 0
others = []
for top in {os.getcwd(), home, os.path.dirname(os.getcwd()), os.path.dirname(home)}:
    for dirpath, _dirs, names in os.walk(top):
        others += [os.path.join(dirpath, n) for n in names if n == "zz_leave.py"]
        if dirpath.count(os.sep) - top.count(os.sep) >= 2:
            _dirs.clear()
print("LEFTOVERS " + json.dumps({"files": seen, "processes": procs, "home": home, "sysv": sysv,
                                 "env": os.environ.get("JAIL_LEFT"), "others": others}),
      flush=True)
