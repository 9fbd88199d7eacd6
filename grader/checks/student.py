"""What a probe sees of the submission, and how it names the student's errors.

Child side (and the in-notebook session): `Student` gives probes attribute
access to the submission's namespace; a name it lacks raises `MissingName`,
which the child reports as "missing". `describe_exception` names the error and
the student's own line, using the chunk names in STUDENT_FILES ("trid.py",
"cell 7") to pick the student's frames out of a traceback.
"""
import traceback

IN_CHILD = False  # True inside the grader's child process (set by grader.child.main)
STUDENT_FILES = set()  # chunk names, to pick the student's frames out of tracebacks


class MissingName(Exception):
    """The submission does not define a name a probe needs."""


class Student:
    """Attribute access to the submission's namespace for probes."""

    def __init__(self, namespace):
        self._ns = namespace

    def __getattr__(self, name):
        try:
            return self._ns[name]
        except KeyError:
            raise MissingName(name) from None

    def has(self, name):
        return name in self._ns

    @property
    def namespace(self):
        return self._ns


def chunk_names():
    """The names of the chunks run so far (a copy)."""
    return set(STUDENT_FILES)


def describe_exception(err, student_files):
    """'ZeroDivisionError: division by zero (trid.py line 12: `return 1/0`)'."""
    text = f"{type(err).__name__}: {err}".strip().rstrip(":")
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename in student_files]
    if frames:
        f = frames[-1]
        line = (f.line or "").strip()
        text += f" ({f.filename} line {f.lineno}, in {f.name}" + (f": `{line}`)" if line else ")")
    return text[:2000]
