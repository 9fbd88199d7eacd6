"""Check kinds: the unit of grading, split across the process boundary.

A kind is a small class with four parts:
  Params  - a pydantic model of its settings (tolerances, inputs, seeds) that
            course.yml fills in; unknown keys are errors.
  cases   - (parent) build the inputs from Params and a seeded generator.
            Keys starting with "_" stay in the parent (e.g. held-out data).
  probe   - (child, untrusted namespace) call the student's functions on the
            cases and return plain data. It never judges anything.
  verify  - (parent, trusted) judge the plain data; raise feedback.Fail or
            return None (full marks) or a fraction in [0, 1].
  flags   - (parent, optional) review flags for the instructor: what runtime
            evidence or the parent's source scan saw. Never points.
Both parent parts also find, in cases["_source"], the graded source as the
parent read it (checks/sourcescan.GradedSource), for rules on HOW to compute.
course.yml instantiates kinds as named checks with points and a hidden flag,
so a hidden check is a public kind run on inputs the students never saw.

A kind's assignment and exercise are where it lives:
grader/checks/<assignment>/<exercise>.py. Every module of an assignment's
folder is imported when the assignment's kinds are needed (helpers such as
common.py or data.py simply register nothing).
"""
import importlib
import pkgutil
import re

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

_KINDS = {}
# Settings that are tolerances, thresholds or limits, by name: a negative value makes
# correct work fail (or every check pass), so course.yml may not hold one. (Data settings
# such as logistic_nll's label `threshold` or a range's `low` may be negative.)
NON_NEGATIVE = re.compile(r"tol|tiers|^max_|^min_|_gap$|_ratio$|^full_|^partial$|^h$|limit")


class Params(BaseModel):
    """Base of every kind's settings; unknown keys in course.yml are errors, numbers
    must be finite, and tolerances, thresholds and limits (NON_NEGATIVE) at least 0."""
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    seed: int = 0

    @field_validator("*", mode="after")
    @classmethod
    def _non_negative(cls, value, info: ValidationInfo):
        if NON_NEGATIVE.search(info.field_name or "") and any(v < 0 for v in _numbers(value)):
            raise ValueError("must not be negative: it is a tolerance, threshold or limit")
        return value


def _numbers(value):
    """The numbers in a setting, through nested lists."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _numbers(item)]
    return []


class CheckKind:
    """Base class; see the module docstring. Subclasses set `name` and `Params`;
    `assignment` and `exercise` come from the module path (see `register`)."""
    assignment = ""
    exercise = ""
    name = ""
    Params = Params

    def cases(self, p, rng):
        return {}

    @staticmethod
    def probe(sub, cases):
        raise NotImplementedError

    def verify(self, p, cases, got):
        raise NotImplementedError

    def flags(self, p, cases, got):
        """Review flags for the instructor (plain strings, shown in the JSON report, the
        text report and the gradebook's `flags` column; not in Gradescope, JUnit,
        Classroom or feedback pages). Never points. Parent side."""
        return []

    def target(self, p):
        """One sentence for students: what full marks on this check need, with the
        thresholds of p (grader/authoring/targets.py writes it into the stubs)."""
        doc = " ".join((type(self).__doc__ or self.name).strip().split("\n\n")[0].split())
        rtol = getattr(p, "rtol", None)
        return doc.rstrip(".") + (f" (relative error at most {rtol:g})"
                                  if isinstance(rtol, float) else "") + "."

    @classmethod
    def key(cls):
        return f"{cls.assignment}.{cls.exercise}.{cls.name}"


def register(cls):
    """Class decorator adding a CheckKind to the registry under assignment.exercise.name,
    taken from its module grader.checks.<assignment>.<exercise>."""
    parts = cls.__module__.split(".")
    if len(parts) != 4 or parts[:2] != ["grader", "checks"]:
        raise ValueError(f"check kind {cls.__qualname__} must live in "
                         f"grader/checks/<assignment>/<exercise>.py, not {cls.__module__}")
    cls.assignment, cls.exercise = parts[2], parts[3]
    key = cls.key()
    if key in _KINDS and _KINDS[key] is not cls:
        raise ValueError(f"check kind {key} is defined twice")
    _KINDS[key] = cls
    return cls


def get_kind(assignment, exercise, name):
    """Return an instance of the registered kind, or None if unknown."""
    load_assignment_checks(assignment)
    cls = _KINDS.get(f"{assignment}.{exercise}.{name}")
    return cls() if cls else None


def kinds_of(assignment, exercise):
    load_assignment_checks(assignment)
    prefix = f"{assignment}.{exercise}."
    return sorted(k[len(prefix):] for k in _KINDS if k.startswith(prefix))


def load_assignment_checks(assignment):
    """Import every module of grader/checks/<assignment>/, which registers its kinds."""
    try:
        package = importlib.import_module(f"grader.checks.{assignment}")
    except ModuleNotFoundError as err:
        if err.name != f"grader.checks.{assignment}":
            raise
        return
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"grader.checks.{assignment}.{info.name}")


def assignments():
    """The assignments that have check kinds (folders under grader/checks)."""
    import grader.checks as checks
    return sorted(i.name for i in pkgutil.iter_modules(checks.__path__) if i.ispkg)


def all_kinds(assignment):
    """{(exercise, name): kind class} of one assignment, in registration order."""
    load_assignment_checks(assignment)
    return {(cls.exercise, cls.name): cls for key, cls in _KINDS.items()
            if cls.assignment == assignment}
