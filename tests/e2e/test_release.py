"""`grader release`: the student bundle holds no reference code and no hidden check,
and `grader check` works inside it with nothing installed but the bundle."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from grader.authoring.release import build_release
from grader.authoring.stubs import BEGIN, END

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
