"""What a grading run produces: one CheckResult per check, gathered in a Report."""
from dataclasses import asdict, dataclass, field

PASSED = "passed"            # full points
FAILED = "failed"            # the function ran; its answer is wrong (maybe partial points)
ERROR = "error"              # the student's code raised, or returned something unusable
TIMEOUT = "timeout"          # the exercise's time limit ran out
MISSING = "missing"          # a required name is not defined
NOT_ATTEMPTED = "not_attempted"  # the stub still raises NotImplementedError
STATUSES = (PASSED, FAILED, ERROR, TIMEOUT, MISSING, NOT_ATTEMPTED)


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

    def to_dict(self):
        return asdict(self)


@dataclass
class Report:
    """All results of grading one submission against one assignment."""
    assignment: str
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)      # load problems, sandbox mode, ...
    output: str = ""                                # what the submission printed (truncated)

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

    def to_dict(self):
        return {"assignment": self.assignment, "score": self.score,
                "max_score": self.max_score,
                "checks": [{k: v for k, v in c.to_dict().items() if k != "duration"}
                           | {"duration": round(c.duration, 4)} for c in self.checks],
                "notes": list(self.notes),
                # What the submission printed, captured apart and already truncated.
                "output": self.output}
