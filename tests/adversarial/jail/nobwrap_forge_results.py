"""Without bubblewrap: leave a forged results file and kill the grader before it writes its own.

Graded after wrong_base.py (as zz_forge.py). It finds the grading process among its
ancestors (the one whose command line has `--out`), writes a full-marks report in the
grader's JSON format to that --out path, and SIGKILLs the grader so it never overwrites
it. It prints `FORGED-RESULTS <path>` before the kill.
Expected: the grader finishes normally (exit status 0) and the --out file holds the real
report: score 0, the score of the wrong base.
"""
import json
import os
import signal

FAKE = {"assignment": "hw1_autograd", "score": 5.0, "max_score": 5.0, "notes": [],
        "output": "", "checks": [
            {"exercise": "decaying_cosine", "name": n, "max_score": p, "score": p,
             "status": "passed", "message": "", "hidden": h, "duration": 0.01}
            for n, p, h in (("values", 1.0, False), ("gradient", 2.0, False),
                            ("autograd_traceable", 1.0, False), ("gradient_hidden", 1.0, True))]}


def _ancestors():
    pid, seen = os.getppid(), []
    while pid > 1 and pid not in seen:
        seen.append(pid)
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
            pid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return seen


for pid in _ancestors():
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = [a.decode("utf-8", "replace") for a in fh.read().split(b"\0")]
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        continue
    if "--out" in argv:
        out = os.path.join(cwd, argv[argv.index("--out") + 1])
        try:
            with open(out, "w") as fh:
                json.dump(FAKE, fh, indent=2)
            print("FORGED-RESULTS " + out, flush=True)
            os.kill(pid, signal.SIGKILL)
        except OSError as err:
            print("FORGED-RESULTS failed", err, flush=True)
        break
else:
    print("FORGED-RESULTS no grader process found", flush=True)
