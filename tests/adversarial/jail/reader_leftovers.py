"""Student B of a grade-all worker looks for what student A (leave_files_and_sleeper.py) left.

Graded after the reference decaying_cosine.py (as zz_read.py), right after A in the same
worker. It prints `LEFTOVERS {json}`: `files`, the marker files of A it can see (in
/dev/shm, $HOME dotfiles, /tmp), and `processes`, the pids whose command line holds
`{MARK}` (A's sleeper).
Expected: both lists are empty; B scores full marks.
"""
import json
import os

MARK = "{MARK}"
home = os.path.expanduser("~")
paths = [f"/dev/shm/jail-{MARK}", os.path.join(home, f".jail-{MARK}"),
         os.path.join(home, ".config", f"jail-{MARK}"), f"/tmp/jail-{MARK}"]
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
print("LEFTOVERS " + json.dumps({"files": seen, "processes": procs, "home": home}), flush=True)
