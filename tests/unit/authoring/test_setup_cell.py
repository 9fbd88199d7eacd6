"""The notebook's first code cell imports the self-check, and where the grader is not
installed for the kernel it says in one line what to run instead of stopping Run All."""
import json
import subprocess
import sys

from grader.authoring.notebooks import SETUP_CELL, SETUP_IMPORT

from tests.conftest import ROOT


def test_the_first_code_cell_is_the_setup_cell():
    books = sorted((ROOT / "assignments").glob("*/*.ipynb"))  # fresh: `grader build --check`
    assert books
    for book in books:
        code = ["".join(c["source"]) for c in json.loads(book.read_text(encoding="utf-8"))["cells"]
                if c["cell_type"] == "code"]
        assert code[0] == SETUP_CELL, book.name
        assert not any(SETUP_IMPORT == ln.strip() for c in code[1:] for ln in c.split("\n"))


def test_without_the_grader_the_setup_cell_says_what_to_install(tmp_path):
    # -I -S: no site-packages, no PYTHONPATH: `import grader` fails as in a bare kernel
    done = subprocess.run([sys.executable, "-I", "-S", "-c",
                           SETUP_CELL + "\ncheck('trid')\ncheck_all()\n"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    first, *rest = done.stdout.splitlines()
    assert "No module named 'grader'" in first
    assert "python -m pip install -r requirements.txt" in first and "README.txt" in first
    assert rest == ["check() cannot run: see the first code cell."] * 2
