"""Generate student stubs from reference solutions: one source of truth.

In solutions/<assignment>/*.py each region between `### BEGIN SOLUTION` and
`### END SOLUTION` is replaced, at the marker's indentation, by nbgrader's own
stub text, so `nbgrader generate_assignment` and this module agree:

    # YOUR CODE HERE
    raise NotImplementedError()

Everything else (docstrings, imports, signatures) is copied unchanged.
"""
import re
from pathlib import Path

BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
HEADER = ("# Student version generated from the reference solution by `grader build`.\n"
          "# Fill in each `raise NotImplementedError()`; keep names and signatures.\n")


class StubError(ValueError):
    """Unbalanced or nested solution markers (message names file and line)."""


def make_stub(text, name="<source>"):
    """Return text with each solution region replaced by the nbgrader stub."""
    out, indent, start = [], None, 0
    for lineno, line in enumerate(text.splitlines(keepends=True), 1):
        if BEGIN.match(line):
            if indent is not None:
                raise StubError(f"{name} line {lineno}: BEGIN SOLUTION inside another region")
            indent, start = BEGIN.match(line).group(1), lineno
            out.append(f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n")
        elif END.match(line):
            if indent is None:
                raise StubError(f"{name} line {lineno}: END SOLUTION without BEGIN")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise StubError(f"{name} line {start}: BEGIN SOLUTION is never closed")
    return "".join(out)


def strip_markers(text):
    """The reference text without the marker lines (what a complete student file looks like)."""
    return "".join(l for l in text.splitlines(keepends=True) if not (BEGIN.match(l) or END.match(l)))


def stub_targets(root):
    """[(solution file, stub file)] for every solutions/<assignment>/*.py."""
    root = Path(root)
    return [(src, root / "assignments" / src.parent.name / src.name)
            for src in sorted((root / "solutions").glob("*/*.py"))
            if not src.name.startswith("_")]  # _notebook.py etc.: see notebooks.py


def build_stubs(root, write=True):
    """Regenerate every stub; return the paths that were (or would be) changed.
    A `{{ full_marks }}` line becomes the exercise's targets from course.yml."""
    from grader.authoring.targets import expand
    from grader.config import load_course
    course = load_course(Path(root) / "course.yml")
    changed = []
    for src, dst in stub_targets(root):
        text = expand(src.read_text(encoding="utf-8"), course, src.parent.name, src.stem)
        text = HEADER + make_stub(text, src.name)
        if not dst.exists() or dst.read_text(encoding="utf-8") != text:
            changed.append(dst)
            if write:
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_text(text, encoding="utf-8")
    from grader.authoring.notebooks import build_notebooks  # the student notebooks share the source
    from grader.authoring.rules import build_rules_doc  # docs/CHECKS.md: rules -> checks
    return (changed + build_notebooks(root, course=course, write=write)
            + build_rules_doc(root, course, write=write))
