"""Gradescope autograder bundle: `grader gradescope A --out autograder.zip`.

The zip holds setup.sh, run_autograder, the grader package, course.yml and
requirements-grading.txt (pins.grading_requirements: the grader's dependencies
and A's preloads with everything they need, exact pins from requirements.lock,
torch==2.13.0 from the CPU wheel index when A needs it; no Jupyter, nbgrader or
Dask); never solutions/. setup.sh installs that file into ROOT/venv;
run_autograder grades ROOT/submission into ROOT/results/results.json and ALWAYS
leaves a results file: a submission that crashes gets its zeros from the
grader; if the grader itself cannot run, a fallback file says so.

Both scripts find ROOT themselves: GRADER_AUTOGRADER_ROOT if set, else the
folder above source/ they were unzipped into (so an unzipped bundle runs as
`bash DIR/source/run_autograder` on any machine), else /autograder.
GRADER_PYTHON (default ROOT/venv/bin/python, else python3) is the Python that
grades.
"""
import json
import os
import sys
import zipfile
from pathlib import Path

from grader import PACKAGE_DIR
from grader.authoring.pins import grading_requirements, lock_file

REQUIREMENTS = "requirements-grading.txt"
# ROOT for both scripts (bash builtins only: the container's PATH may be bare).
FIND_ROOT = """case "${BASH_SOURCE[0]}" in */*) HERE="${BASH_SOURCE[0]%/*}" ;; *) HERE=. ;; esac
HERE="$(cd "$HERE" 2>/dev/null && pwd)"
if [ -n "${GRADER_AUTOGRADER_ROOT:-}" ]; then ROOT="$GRADER_AUTOGRADER_ROOT"
elif [ "${HERE##*/}" = source ] && [ -f "$HERE/course.yml" ]; then ROOT="${HERE%/source}"
elif [ -f "$HERE/source/course.yml" ]; then ROOT="$HERE"
else ROOT=/autograder; fi
"""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the image.
set -euo pipefail
__FIND_ROOT__export DEBIAN_FRONTEND=noninteractive
# Neither is fatal: without bubblewrap the grader runs in uid mode (Gradescope runs as
# root), and a python3 of 3.11 or newer needs no package.
apt-get update -q || echo "setup.sh: apt-get update failed; going on" >&2
apt-get install -y -q bubblewrap ||
  echo "setup.sh: no bubblewrap; submissions will run as an unprivileged uid (uid mode)" >&2
# The grader needs Python >= 3.11 (Ubuntu 22.04's python3 is 3.10).
PY=""
for v in 3.12 3.11; do
  if apt-get install -y -q "python$v" "python$v-venv"; then PY="python$v"; break; fi
done
PY="${PY:-python3}"
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), sys.version'
# A second run (on your own machine) keeps the venv and checks its pins.
[ -x "$ROOT/venv/bin/python" ] || "$PY" -m venv "$ROOT/venv"
# Exact pins of what grading needs; the file names the CPU wheel index when torch is in it.
"$ROOT/venv/bin/pip" install --quiet -r "$ROOT/source/__REQUIREMENTS__"
"$ROOT/venv/bin/python" -c "import click, pydantic, yaml, IPython, __PRELOAD__"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this per submission. Always leaves results/results.json behind.
__FIND_ROOT__PY="${GRADER_PYTHON:-$ROOT/venv/bin/python}"
[ -n "${GRADER_PYTHON:-}" ] || [ -x "$PY" ] || PY=python3
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
cd "$ROOT/source" || true
PYTHONPATH="$ROOT/source" GRADER_COURSE="$ROOT/source/course.yml" __ALLOW__\\
  "$PY" -I -c 'import sys; sys.path.insert(0, sys.argv[1]); from grader.authoring.gradescope import run; run(sys.argv[2], sys.argv[3])' \\
  "$ROOT/source" "$ROOT" "__ASSIGNMENT__" 2>"$ROOT/results/grader.log"
status=$?
if [ ! -s "$RESULTS" ]; then
  cat > "$RESULTS" <<EOF
{"score": 0, "output": "The autograder could not run (exit status $status). Your submission was not graded; please tell your instructor.", "tests": [], "visibility": "visible"}
EOF
fi
exit 0
"""


def bundle_files(course, assignment, allow_unsandboxed=False):
    """{name in zip: bytes}: scripts, the grader package, course.yml, requirements-grading.txt.
    allow_unsandboxed: run_autograder grades even where student code would run as root."""
    package = PACKAGE_DIR
    preload = course.assignment(assignment).preload
    script = RUN_AUTOGRADER.replace("__FIND_ROOT__", FIND_ROOT).replace(
        "__ASSIGNMENT__", assignment).replace(
        "__ALLOW__", "GRADER_ALLOW_UNSANDBOXED=1 " if allow_unsandboxed else "")
    setup = SETUP_SH.replace("__FIND_ROOT__", FIND_ROOT).replace(
        "__REQUIREMENTS__", REQUIREMENTS).replace("__PRELOAD__", ", ".join(preload))
    lock = lock_file(course.root).read_text(encoding="utf-8")
    files = {"setup.sh": setup.encode(),
             "run_autograder": script.encode(),
             "course.yml": Path(course.path).read_bytes(),
             REQUIREMENTS: grading_requirements(lock, preload,
                                                f"grader gradescope {assignment}").encode()}
    for f in sorted(package.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc",):
            files[str(Path("grader") / f.relative_to(package))] = f.read_bytes()
    return files


def build_autograder_zip(course, assignment, out, allow_unsandboxed=False):
    """Write the zip; returns the names it holds."""
    files = bundle_files(course, assignment, allow_unsandboxed)
    tmp = Path(str(out) + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in ("setup.sh", "run_autograder") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    os.replace(tmp, out)
    return list(files)


def run(root, assignment):
    """Grade <root>/submission into <root>/results/results.json, whatever happens."""
    root = Path(root)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    if results.exists() or results.is_symlink():
        results.unlink()  # only what this run writes, after every child is dead, counts
    try:
        from grader.files import write_atomic
        from grader.config import load_course
        from grader.reports.formats import to_gradescope
        from grader.bulk.gradeall import Item, grade_one
        from grader.judge.grade import zero_report
        from grader.execution.forkserver import ZygotePool
        from grader.execution.hiding import prepare_official
        course = load_course(start=root / "source")  # GRADER_COURSE first (config.py)
        # One fork server, as `grader grade`: the public child and the hidden one are two
        # forks of it, each its own world, and the assignment's preload (torch) is imported
        # once, not once per fresh child (~2 CPU-s of every hw2 submission's wait).
        pool = ZygotePool(course)   # warmed for a notebook only (wants_warm)
        try:
            # No bubblewrap (most Gradescope containers): the children run as unprivileged
            # uids and source/, results/ and submission/ are closed to them; where even that
            # is impossible, refuse unless the bundle was built with --allow-unsandboxed.
            prepare_official(pool.sandbox, root / "source",
                             [root / "submission", results.parent],
                             os.environ.get("GRADER_ALLOW_UNSANDBOXED") == "1")
            # What is graded inside the upload: submission/locate.py's rule, as everywhere.
            graded = grade_one(Item("submission", root / "submission"), course, assignment,
                               pool.session_factory(assignment), mode=lambda: pool.isolation)
        finally:
            pool.close()   # every child and the fork server dead before results.json
        rep = graded.report
        if not rep.checks:
            rep = zero_report(course, assignment, "nothing was graded")
        write_atomic(results, json.dumps(to_gradescope(rep, course.spec.feedback.hidden), indent=2))
    except BaseException as err:  # noqa: BLE001 - Gradescope must always get a results file
        print(f"grader failed: {type(err).__name__}: {err}", file=sys.stderr)
        results.write_text(json.dumps({
            "score": 0, "tests": [], "visibility": "visible",
            "output": f"The autograder failed ({type(err).__name__}: {err}). Your submission "
                      "was not graded; please tell your instructor."}))
