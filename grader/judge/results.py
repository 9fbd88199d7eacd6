"""What a grading run produces: one CheckResult per check, gathered in a Report."""
from dataclasses import dataclass, field

from grader.status import (ERROR, FAILED, INFRASTRUCTURE, MISSING, NOT_ATTEMPTED,  # noqa: F401
                           PASSED, STATUSES, TIMEOUT)


# How a hidden child's note reads where students may see it (policy `message`).
HIDDEN_NOTES_PREFIX = "while running the hidden checks: "


@dataclass
class CheckResult:
    """The verdict on one check. Scores are in points; duration in seconds."""
    exercise: str
    name: str
    max_score: float
    score: float
    status: str
    message: str = ""
    hidden: bool = False
    duration: float = 0.0
    output: str = ""      # what the submission printed while this check ran (capped)
    cpu_s: float | None = None  # CPU seconds of the submission's processes (None: unknown)
    # For the instructor's review, never points: what runtime evidence or the source scan
    # saw (a closed-form solver, code that can tamper with the grader). CheckKind.flags.
    flags: list = field(default_factory=list)
    # A public check run after a hidden child had started (a caller that asked out of
    # order): what it says may carry hidden inputs, so students see it like a hidden one.
    after_hidden: bool = False

    def to_dict(self):
        """The fields of the documented JSON format (cpu_s is for benchmarks only). Shallow
        (every field is a str, number, bool or a list of str): dataclasses.asdict's deep
        copy cost ~0.5 ms a check, paid per check of every report written."""
        d = {k: getattr(self, k) for k in _CHECK_FIELDS}
        d["flags"] = list(self.flags)
        return d


_CHECK_FIELDS = tuple(f for f in CheckResult.__dataclass_fields__ if f != "cpu_s")


@dataclass
class Report:
    """All results of grading one submission against one assignment."""
    assignment: str
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)      # load problems, sandbox mode, ...
    output: str = ""     # what the submission's top-level code printed (capped); per check: c.output
    files: list = field(default_factory=list)      # the file(s) graded (submission/locate.py)
    course_file: str = ""                          # the course.yml used
    # Notes from children that saw hidden inputs (their load errors): shown to students
    # only under the hidden policy `message` (grader/reports/policy.py).
    hidden_notes: list = field(default_factory=list)

    def not_graded(self):
        """Checks the grader or the machine failed to grade (status infrastructure):
        their 0 is not a score, and every report says so."""
        return [c for c in self.checks if c.status == INFRASTRUCTURE]

    def printed(self):
        """Everything the submission printed, in order: its top-level code, then each check."""
        return self.output + "".join(c.output for c in self.checks)

    @property
    def score(self):
        return round(sum(c.score for c in self.checks), 6)

    @property
    def max_score(self):
        return round(sum(c.max_score for c in self.checks), 6)

    def by_exercise(self):
        """{exercise: (score, max_score)} in check order."""
        totals = {}
        for c in self.checks:
            s, m = totals.get(c.exercise, (0.0, 0.0))
            totals[c.exercise] = (s + c.score, m + c.max_score)
        return totals

    def to_dict(self, checks=True):
        """The documented JSON format; checks=False: without the "checks" key (the results
        database keeps the checks in a table of their own)."""
        return {"assignment": self.assignment, "score": self.score,
                "max_score": self.max_score,
                **({"checks": [{k: v for k, v in c.to_dict().items() if k != "duration"}
                                | {"duration": round(c.duration, 4)} for c in self.checks]}
                   if checks else {}),
                "notes": list(self.notes), "hidden_notes": list(self.hidden_notes),
                "files": list(self.files), "course_file": self.course_file,
                # What the submission printed, captured apart and already truncated.
                "output": self.printed(),
                "load_output": self.output}

    @classmethod
    def from_dict(cls, d):
        """Inverse of to_dict (a saved JSON report, a cache entry); unknown keys ignored."""
        fields = CheckResult.__dataclass_fields__
        checks = [CheckResult(**{k: v for k, v in c.items() if k in fields})
                  for c in d.get("checks", [])]
        output = d.get("load_output", d.get("output", "") if not any(
            c.output for c in checks) else "")
        notes = [str(n) for n in d.get("notes", [])]
        hidden_notes = [str(n) for n in d.get("hidden_notes", [])]
        # A report saved as students see it under `message` carries them among its notes.
        hidden_notes += [n[len(HIDDEN_NOTES_PREFIX):] for n in notes
                         if n.startswith(HIDDEN_NOTES_PREFIX)]
        return cls(d["assignment"], checks=checks,
                   notes=[n for n in notes if not n.startswith(HIDDEN_NOTES_PREFIX)],
                   output=output or "", files=list(d.get("files", [])),
                   course_file=d.get("course_file", ""), hidden_notes=hidden_notes)
