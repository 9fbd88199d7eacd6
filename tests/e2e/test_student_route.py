"""The student's route where students run it (issue 17): the hw1 release bundle installed in a
FRESH venv from its own requirements.txt (plus a Jupyter runner, nbclient + ipykernel), its
notebook executed by a kernel started in the notebook's folder, and the commands README.txt
prints run exactly as printed. Nothing here uses the development venv's packages: every
command runs with the fresh venv's bin first on PATH and no PYTHONPATH.

"Without error" for the untouched notebook: the check cells (and the setup cell) never raise
and show `todo`; other cells may raise only NotImplementedError (a demo cell calling a stub).

pip uses its cache and the wheel folders it is configured with (hw1 needs no torch), so the
venv is built once per session; its build time and each test's are printed (pytest -s).
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.authoring.notebooks import build_notebook, notebook_text
from grader.authoring.pins import lock_pins
from grader.authoring.release import build_release
from grader.submission.load import CHECK_TAG
from tests.conftest import ROOT
from tests.e2e.fresh_venv import make_venv

A = "hw1_autograd"
RUNNER = ("nbclient", "ipykernel")
pytestmark = pytest.mark.slow
# What only an instructor can act on; none of it may reach a student's screen.
INSTRUCTOR_WORDS = ("WARNING", "seccomp", "SECCOMP", "requirements.lock", "--require-sandbox",
                    "--allow-unsandboxed", "WITHOUT a sandbox", "unprivileged uid")
ABSOLUTE = re.compile(r"(?<![\w.])/(?:tmp|home|root|work|usr|opt|var|srv|mnt)/")

# Run a notebook as Jupyter does, inside the fresh venv. A last cell (dropped again before the
# outputs are read) reports the kernel's Python, grader copy and working directory.
RUN_NOTEBOOK = """\
import sys
import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell
source, target, allow_errors = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
nb = nbformat.read(source, as_version=4)
nb.cells.append(new_code_cell("import os, sys, grader\\n"
                              "print(sys.prefix, grader.PACKAGE_DIR, os.getcwd(), sep='\\\\n')"))
folder = source.rsplit("/", 1)[0]
NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=allow_errors,
               resources={"metadata": {"path": folder}}).execute()
nbformat.write(nb, target)
"""
TIMES = {}


def _outside_any_venv(entry):
    return not (Path(entry).parent / "pyvenv.cfg").exists()


def student_env(venv, home):
    """The environment of a student's terminal with `venv` activated: no PYTHONPATH, no
    grader or Jupyter settings of ours, no other virtualenv on PATH; pip's own settings
    (cache, configured wheel folders) kept."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "GRADER_", "VIRTUAL_ENV", "JUPYTER", "IPYTHON"))}
    path = [str(venv / "bin")] + [p for p in os.environ.get("PATH", "").split(os.pathsep)
                                  if p and _outside_any_venv(p)]
    env.update(PATH=os.pathsep.join(path), VIRTUAL_ENV=str(venv),
               JUPYTER_DATA_DIR=str(home / "jupyter-data"),
               JUPYTER_CONFIG_DIR=str(home / "jupyter-config"), IPYTHONDIR=str(home / "ipython"))
    return env


def readme_commands(readme):
    """The commands README.txt prints: its lines indented by four spaces that start with
    `python ` or `grader `, in order (README.txt says to run them from its folder)."""
    return [ln.strip() for ln in readme.splitlines()
            if re.match(r"^    (python|grader) ", ln)]


def student_section_commands():
    """The commands README.md's "For students" prints (its code blocks' `python`/`grader`
    lines, comments cut); it says to run them in the bundle's folder."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## For students", 1)[1].split("\n## ", 1)[0]
    return [ln.split("  #")[0].strip() for block in re.findall(r"```\n(.*?)```", section, re.S)
            for ln in block.splitlines() if re.match(r"(python|grader) ", ln)]


def run(argv, cwd, env, timeout=900):
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    done.seconds = time.perf_counter() - started
    return done


class Student:
    """The bundle, the fresh venv with it installed, and the student's environment."""

    def __init__(self, bundle, venv, env, frozen):
        self.bundle, self.venv, self.env, self.frozen = bundle, venv, env, frozen
        self.secret_paths = {str(bundle), str(venv), str(ROOT), str(Path.home())}

    def run(self, command, cwd=None):
        """One README command line as a terminal runs it (the venv's python/grader on PATH)."""
        return run(shlex.split(command), cwd or self.bundle, self.env)

    def execute(self, notebook, allow_errors):
        """Execute `notebook` in a kernel of the venv started in its folder; the executed
        notebook's code cells and the kernel's (prefix, grader folder, cwd)."""
        target = notebook.with_name(notebook.stem + ".executed.ipynb")
        done = run([str(self.venv / "bin" / "python"), "-c", RUN_NOTEBOOK, str(notebook),
                    str(target), "1" if allow_errors else "0"], notebook.parent, self.env)
        assert done.returncode == 0, done.stderr[-4000:]
        TIMES[f"execute {notebook.relative_to(self.bundle.parent)}"] = done.seconds
        cells = [c for c in json.loads(target.read_text(encoding="utf-8"))["cells"]
                 if c["cell_type"] == "code"]
        where = _text(cells[-1]).split("\n")
        return cells[:-1], where[:3]

    def assert_clean(self, text):
        """No instructor warning and no absolute path in what the student sees."""
        said = [w for w in INSTRUCTOR_WORDS if w in text]
        assert not said, f"instructor-facing text {said} in:\n{text[-3000:]}"
        paths = [p for p in self.secret_paths if p in text] + ABSOLUTE.findall(text)
        assert not paths, f"absolute path {paths} in:\n{text[-3000:]}"


@pytest.fixture(scope="session")
def student(course, tmp_path_factory):
    """hw1's bundle installed by README.txt's own install command in a fresh venv, then the
    Jupyter runner pinned from requirements.lock under the bundle's pins."""
    top = tmp_path_factory.mktemp("student")
    bundle = build_release(course, A, top / "bundle")
    venv, home = top / "venv", top / "home"
    home.mkdir()
    env = student_env(venv, home)
    started = time.perf_counter()
    make_venv(venv, env)
    installs = [c for c in readme_commands((bundle / "README.txt").read_text(encoding="utf-8"))
                if " pip install " in c]
    assert installs == ["python -m pip install -r requirements.txt"]
    done = run(shlex.split(installs[0]), bundle, env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    frozen = run([str(venv / "bin" / "python"), "-m", "pip", "freeze"], bundle, env).stdout
    TIMES["venv + README install"] = time.perf_counter() - started
    pins = lock_pins((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    constraints = top / "constraints.txt"
    constraints.write_text("\n".join(ln for ln in (bundle / "requirements.txt").read_text(
        encoding="utf-8").splitlines() if "==" in ln) + "\n", encoding="utf-8")
    started = time.perf_counter()
    runner = run([str(venv / "bin" / "python"), "-m", "pip", "install", "-c", str(constraints),
                  *(pins[name] for name in RUNNER)], bundle, env)
    assert runner.returncode == 0, runner.stderr[-3000:]
    TIMES["Jupyter runner install"] = time.perf_counter() - started
    yield Student(bundle, venv, env, frozen)
    print("\nstudent route, seconds:", ", ".join(f"{k} {v:.1f}" for k, v in TIMES.items()))


def _text(cell):
    """Everything a cell shows: streams, plain and HTML displays, error tracebacks."""
    parts = []
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")))
        for kind in ("text/plain", "text/html"):
            parts.append("".join(out.get("data", {}).get(kind, "")))
        if out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])))
    return "\n".join(p for p in parts if p)


def _errors(cell):
    return [o["ename"] for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def _is_check(cell):
    return CHECK_TAG in cell.get("metadata", {}).get("tags", [])


def public_total(bundle):
    import yaml
    raw = yaml.safe_load((bundle / "course.yml").read_text(encoding="utf-8"))
    return sum(c["points"] for ex in raw["assignments"][A]["exercises"].values()
               for c in ex["checks"])


def test_install_pins_everything_it_installs(student):
    """requirements.txt pins every package pip put in the venv, and installs the bundle's
    own grader (editable), whose `grader` command is on the venv's PATH."""
    wanted = {ln.split(";")[0].strip() for ln in (student.bundle / "requirements.txt")
              .read_text(encoding="utf-8").splitlines() if "==" in ln}
    installed = {ln for ln in student.frozen.splitlines() if ln and not ln.startswith(("#", "-e"))}
    assert installed and installed <= wanted, sorted(installed - wanted)
    assert any(ln.startswith("-e ") for ln in student.frozen.splitlines())
    assert (student.venv / "bin" / "grader").exists()


def test_untouched_notebook_runs_in_its_folder(student):
    book = student.bundle / "assignments" / A / f"{A}.ipynb"
    cells, (prefix, package, cwd) = student.execute(book, allow_errors=True)
    assert Path(prefix) == student.venv and Path(package) == student.bundle / "grader"
    assert Path(cwd) == book.parent
    setup = cells[0]
    assert "from grader.notebook import check" in "".join(setup["source"])
    assert not _errors(setup) and "cannot run" not in _text(setup)
    checks = [c for c in cells if _is_check(c)]
    assert len(checks) >= 5
    for cell in checks:
        assert not _errors(cell), _text(cell)[-2000:]
        assert "todo" in _text(cell) and "points" in _text(cell)
    others = {e for c in cells if not _is_check(c) for e in _errors(c)}
    assert others <= {"NotImplementedError"}, others
    student.assert_clean("\n".join(_text(c) for c in cells))


def test_completed_notebook_gets_full_public_marks_in_any_folder(student, root, course):
    """The reference code pasted in, the notebook moved out of the bundle: the kernel starts
    in that folder, still imports the bundle's grader and finds its course.yml."""
    folder = student.bundle.parent / "elsewhere" / A
    folder.mkdir(parents=True)
    book = folder / f"{A}.ipynb"
    book.write_text(notebook_text(build_notebook(root, course, A, "reference")), encoding="utf-8")
    cells, (_, package, cwd) = student.execute(book, allow_errors=False)
    assert Path(package) == student.bundle / "grader" and Path(cwd) == folder
    assert not [e for c in cells for e in _errors(c)]
    total = public_total(student.bundle)
    last = _text(cells[-1])
    assert f"{A}: {total} / {total} points" in last, last[-3000:]
    for cell in (c for c in cells if _is_check(c)):
        assert "FAIL" not in _text(cell) and "ERROR" not in _text(cell), _text(cell)[-2000:]
    student.assert_clean("\n".join(_text(c) for c in cells))


def test_readme_commands_work_as_printed(student):
    """Every command README.txt prints, from its folder, in order: the install (again: a
    re-run must work) and the self-checks, which print no instructor warning; then those of
    README.md's student section, from the bundle's folder as it says."""
    commands = readme_commands((student.bundle / "README.txt").read_text(encoding="utf-8"))
    assert any(c.startswith("grader check") for c in commands)
    assert any(c.startswith("python -m grader") for c in commands)
    more = student_section_commands()
    assert any(c.startswith("grader check") for c in more), more
    commands += [c for c in more if c not in commands]
    total = public_total(student.bundle)
    for command in commands:
        done = student.run(command)
        TIMES[command] = done.seconds
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-3000:])
        assert "Traceback" not in done.stderr, (command, done.stderr[-3000:])
        if " pip " in command:
            continue
        assert re.match(rf"{A}: 0 / \d+ points", done.stdout), (command, done.stdout[:500])
        assert f"/ {total} points" in done.stdout or "--exercise" in command
        student.assert_clean(done.stdout + done.stderr)


def test_official_grading_keeps_the_instructor_warning(student):
    """The same venv has no seccomp binding: `grader grade` (an instructor's command) still
    says so where bubblewrap runs; `grader check` (the student's) does not."""
    from grader.execution.sandbox import bwrap_works
    if not bwrap_works():
        pytest.skip("no working bubblewrap here: the seccomp warning is never reached")
    target = f"assignments/{A}"
    graded = student.run(f"grader grade {target} -a {A}")
    checked = student.run(f"grader check {target}")
    assert "NO SECCOMP FILTER" in graded.stderr, graded.stderr[-2000:]
    assert "WARNING" not in checked.stderr and checked.returncode == 0, checked.stderr[-2000:]


def test_exported_py_grades_like_the_notebook(root, course, tmp_path):
    """`jupyter nbconvert --to script` of a completed notebook with a %matplotlib line and
    ! lines (which become get_ipython() calls) scores what the notebook scores: full marks."""
    from grader.execution.session import session_factory
    from grader.judge.grade import grade_path
    nb = build_notebook(root, course, A, "reference")
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[1].source = "%matplotlib inline\n" + code[1].source
    code[2].source = "!echo hello\nlisting = !ls\n" + code[2].source
    book = tmp_path / f"{A}.ipynb"
    book.write_text(notebook_text(nb), encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "script",
                           str(book), "--output-dir", str(tmp_path / "py")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    script = tmp_path / "py" / f"{A}.py"
    assert "get_ipython().run_line_magic('matplotlib', 'inline')" in script.read_text()
    factory = session_factory(course.spec.limits)
    reports = {p.suffix: grade_path(course, p, A, factory, include_hidden=False)
               for p in (book, script)}
    TIMES["nbconvert + grade both"] = time.perf_counter() - started
    as_py, as_nb = reports[".py"], reports[".ipynb"]
    assert as_py.score == as_nb.score == as_py.max_score, [
        (c.name, c.status, c.message) for c in as_py.checks if c.score < c.max_score]
    assert [(c.name, c.status, c.score) for c in as_py.checks] == \
           [(c.name, c.status, c.score) for c in as_nb.checks]
    assert not any("error while running" in n for n in as_py.notes), as_py.notes
