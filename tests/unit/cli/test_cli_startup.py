"""Every `grader` command pays its module imports before it does anything: the command line
itself (`grader --help`, `report`, `build`, ...) imports neither numpy nor the judge nor the
sessions; a command that grades imports them when it runs (~0.15 s of CPU saved per run)."""
import subprocess
import sys

HEAVY = ("numpy", "grader.judge.grade", "grader.execution.session", "grader.bulk.cluster",
         "autograd", "torch", "IPython")


def test_the_command_line_imports_nothing_heavy(root):
    code = ("import sys, grader.cli; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
