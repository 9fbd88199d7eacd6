"""Without bubblewrap: print a forged JSON report on the grader's own stdout, then kill it.

Graded after wrong_base.py (as zz_forge.py). It finds the grading process among its
ancestors (the one whose command line has `--format json`), writes a full-marks report
in the grader's JSON format to that process's stdout (/proc/<pid>/fd/1), and SIGKILLs the
grader so the forged report is all a CI job reading stdout gets. It also prints the same
fake report on its own stdout (which is only ever its captured output).
Expected: what the grader's stdout parses to is the real report, score 0, the score of
the wrong base; the grader exits normally.
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
print(json.dumps(FAKE, indent=2), flush=True)


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
    except OSError:
        continue
    if "--format" in argv and argv[argv.index("--format") + 1] == "json":
        try:
            with open(f"/proc/{pid}/fd/1", "w") as fh:
                fh.write(json.dumps(FAKE, indent=2) + "\n")
            print("FORGED-STDOUT", pid, flush=True)
            os.kill(pid, signal.SIGKILL)
        except OSError as err:
            print("FORGED-STDOUT failed", err, flush=True)
        break
else:
    print("FORGED-STDOUT no grader process found", flush=True)
