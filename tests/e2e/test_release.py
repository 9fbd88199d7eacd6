"""`grader release`: the student bundle holds no reference code and no hidden check,
and `grader check` works inside it with nothing installed but the bundle. `grader
classroom`: the grader repository holds no reference code and a small pinned
requirements file, and grades the bundle."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from grader.authoring.classroom import REQUIREMENTS, build_classroom_repo
from grader.authoring.release import build_release
from grader.authoring.stubs import BEGIN, END
from grader.config import load_course

from tests.conftest import ROOT

RAW = yaml.safe_load((ROOT / "course.yml").read_text(encoding="utf-8"))
ASSIGNMENTS = [a for a in RAW["assignments"] if (ROOT / "assignments" / a).is_dir()]


def _norm(text):
    """Lines stripped of indentation, without blank and comment-only lines."""
    return "\n".join(l.strip() for l in text.splitlines()
                     if l.strip() and not l.strip().startswith("#"))


def reference_bodies():
    """(file, body) of every region between the solution markers in solutions/."""
    bodies = []
    for path in sorted((ROOT / "solutions").rglob("*.py")):
        region = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if BEGIN.match(line):
                region = []
            elif END.match(line):
                body = _norm("\n".join(region))
                if body:
                    bodies.append((path.relative_to(ROOT), body))
                region = None
            elif region is not None:
                region.append(line)
    return bodies


def hidden_names():
    return sorted({c["name"] for a in RAW["assignments"].values()
                   for ex in a["exercises"].values() for c in ex["checks"] if c.get("hidden")})


def bundle_texts(folder):
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":   # cell sources, unescaped
            cells = json.loads(text).get("cells", [])
            text += "\n" + "\n".join("".join(c.get("source", "")) for c in cells)
        yield path, text


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def bundle(request, course, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / request.param
    return request.param, build_release(course, request.param, out)


def test_corpus_of_secrets_is_not_empty():
    assert len(reference_bodies()) >= 10 and hidden_names()


def test_no_reference_body_in_bundle(bundle):
    _, folder = bundle
    bodies = reference_bodies()
    leaks = [(str(path.relative_to(folder)), str(src)) for path, text in bundle_texts(folder)
             for src, body in bodies if body in _norm(text)]
    assert not leaks


def test_no_hidden_check_name_in_bundle(bundle):
    _, folder = bundle
    names = hidden_names()
    leaks = [(str(path.relative_to(folder)), name) for path, text in bundle_texts(folder)
             for name in names if re.search(rf"\b{re.escape(name)}\b", text)]
    assert not leaks


def test_bundle_holds_no_solutions_or_tests(bundle):
    _, folder = bundle
    assert not (folder / "solutions").exists() and not (folder / "tests").exists()
    assert not list(folder.rglob("selftest.py"))


def test_bundle_course_has_only_public_checks(bundle):
    assignment, folder = bundle
    raw = yaml.safe_load((folder / "course.yml").read_text(encoding="utf-8"))
    assert list(raw["assignments"]) == [assignment]
    checks = [c for ex in raw["assignments"][assignment]["exercises"].values()
              for c in ex["checks"]]
    assert checks and not any(c.get("hidden") for c in checks)


def _check_in_bundle(folder, target, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "PYTHONPATH")}
    env["PYTHONPATH"] = str(folder)
    return subprocess.run([sys.executable, "-m", "grader", "check", str(target), *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def test_check_works_inside_the_bundle(course, tmp_path_factory):
    folder = build_release(course, "hw1_autograd", tmp_path_factory.mktemp("rel") / "b")
    stubs = _check_in_bundle(folder, "assignments/hw1_autograd", "-a", "hw1_autograd",
                             "-e", "decaying_cosine")
    assert stubs.returncode == 0, stubs.stderr
    assert "not attempted" in stubs.stdout and "_hidden" not in stubs.stdout
    mine = folder / "mine"
    mine.mkdir()
    shutil.copyfile(ROOT / "solutions" / "hw1_autograd" / "decaying_cosine.py",
                    mine / "decaying_cosine.py")
    done = _check_in_bundle(folder, mine, "-a", "hw1_autograd", "-e", "decaying_cosine")
    assert done.returncode == 0, done.stderr
    assert "decaying_cosine" in done.stdout and "4/4" in done.stdout, done.stdout


def test_release_refuses_a_folder_in_use(course, tmp_path):
    (tmp_path / "x").write_text("keep me")
    from grader.config import ConfigError
    with pytest.raises(ConfigError):
        build_release(course, "hw1_autograd", tmp_path)


def test_bundle_stands_alone(bundle):
    """A pinned requirements.txt with what check() imports (no Jupyter, no nbgrader), the
    release marker, and a README that says how to install and what to hand in."""
    assignment, folder = bundle
    reqs = [ln for ln in (folder / "requirements.txt").read_text().splitlines()
            if ln and not ln.startswith(("#", "--"))]
    assert reqs[-1] == "-e ." and (folder / "pyproject.toml").is_file()  # the bundle's grader
    reqs = reqs[:-1]
    names = {ln.split("==")[0].lower().replace("_", "-") for ln in reqs}
    assert all("==" in ln for ln in reqs)
    preload = {m.split(".")[0] for m in RAW["assignments"][assignment]["preload"]}
    assert {"numpy", "pydantic", "pyyaml", "click"} | preload <= names
    assert not names & {"jupyterlab", "nbgrader", "notebook", "jupytext"}
    assert ("torch" in names) == ("torch" in RAW["assignments"][assignment]["preload"])
    assert yaml.safe_load((folder / "course.yml").read_text())["release"] == "public"
    readme = (folder / "README.txt").read_text()
    assert "python -m pip install -r requirements.txt" in readme
    assert "hand in" in readme and f"assignments/{assignment}/" in readme


NO_RESOURCE = '''
import sys
class _NoResource:
    """Windows has no `resource` module: make importing it fail as it would there."""
    def find_spec(self, name, path=None, target=None):
        if name == "resource":
            raise ImportError("No module named 'resource'")
sys.modules.pop("resource", None)
sys.meta_path.insert(0, _NoResource())
'''


@pytest.mark.slow
def test_check_in_a_notebook_works_without_resource(course, tmp_path):
    folder = build_release(course, "hw1_autograd", tmp_path / "b")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_RESOURCE)
    script = ("exec(open(sys.argv[1]).read())\n"
              "from grader.notebook import check\ncheck('decaying_cosine')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "PYTHONPATH")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(folder)])
    probe = subprocess.run([sys.executable, "-c", "import resource"], env=env,
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "resource" in probe.stderr  # the simulation works
    done = subprocess.run([sys.executable, "-c", "import sys\n" + script,
                           str(ROOT / "solutions" / "hw1_autograd" / "decaying_cosine.py")],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "4 / 4 points" in done.stdout, done.stdout


# --- `grader classroom`: the grader repository a GitHub Classroom workflow checks out ---

@pytest.fixture(scope="module", params=ASSIGNMENTS)
def grader_repo(request, course, tmp_path_factory):
    out = tmp_path_factory.mktemp("classroom") / request.param
    return request.param, build_classroom_repo(course, request.param, out)


def test_grader_repo_holds_no_reference_code_or_tests(grader_repo):
    _, folder = grader_repo
    bodies = reference_bodies()
    leaks = [(str(path.relative_to(folder)), str(src)) for path, text in bundle_texts(folder)
             for src, body in bodies if body in _norm(text)]
    assert not leaks
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "course.yml", "grader", REQUIREMENTS]
    assert not list(folder.rglob("selftest.py")) and not list(folder.rglob("*.ipynb"))


def test_grader_repo_requirements_are_small_and_pinned(grader_repo, course):
    assignment, folder = grader_repo
    lock = set((ROOT / "requirements.lock").read_text().split())
    lines = (folder / REQUIREMENTS).read_text().splitlines()
    pins = [l for l in lines if not l.startswith(("#", "--"))]
    names = {p.split("==")[0].lower() for p in pins}
    assert set(pins) <= lock and all("==" in p for p in pins)
    assert {"numpy", "autograd", "pydantic", "pyyaml", "click"} <= names
    assert not names & {"jupyterlab", "notebook", "nbgrader", "matplotlib", "pytest"}
    assert ("torch" in names) == ("torch" in course.assignment(assignment).preload)
    cpu_index = "--index-url https://download.pytorch.org/whl/cpu"
    assert (cpu_index in lines) == ("torch" in names)       # never the CUDA build
    assert "ipython" in names and "pyseccomp" in names      # notebooks; the sandbox's filter


def test_grader_repo_course_has_the_hidden_checks_of_its_assignment_only(grader_repo):
    assignment, folder = grader_repo
    graded = load_course(folder / "course.yml")
    assert list(graded.spec.assignments) == [assignment]
    assert any(c.hidden for c in graded.checks[assignment])
    assert "readable" in (folder / "README.md").read_text()


@pytest.mark.slow
def test_grader_repo_grades_the_release_bundle_for_classroom(course, tmp_path_factory):
    """The workflow's Grade step: the student repository is the release bundle."""
    tmp = tmp_path_factory.mktemp("classroom-run")
    student = build_release(course, "hw1_autograd", tmp / "student")
    repo = build_classroom_repo(course, "hw1_autograd", tmp / ".grader")
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "PYTHONPATH")}
    env["PYTHONPATH"] = str(repo)
    run = subprocess.run([sys.executable, "-m", "grader", "--course", str(repo / "course.yml"),
                          "grade", str(student / "assignments" / "hw1_autograd"),
                          "-a", "hw1_autograd", "--format", "classroom"],
                         cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["max_score"] == course_total(course, "hw1_autograd")
    assert result["status"] == "pass"
    assert sum(t["score"] for t in result["tests"]) == 0  # the untouched stubs
    assert all(t["status"] == "fail" for t in result["tests"])


def course_total(course, assignment):
    return sum(c.points for c in course.checks_for(assignment))
