"""course.yml: the single home of points, tolerances, limits, seeds and hidden flags.

Loaded once and validated in two passes: the outer structure by pydantic
models, then each check's `params` by its kind's own Params model. Every
error names the file and the dotted key, e.g.
    course.yml: assignments.hw1_autograd.exercises.trid.checks[2].params.rtol:
    Input should be a valid number
"""
import os
from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader import PACKAGE_DIR
from grader.checks.registry import get_kind, kinds_of

COURSE_FILE = "course.yml"


class ConfigError(Exception):
    """course.yml is missing or invalid; the message names the file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class CheckSpec(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str | None = None        # defaults to name
    points: float = Field(ge=0)
    hidden: bool = False
    # CPU seconds for this check; default: its exercise's time_limit_s. For an exercise
    # whose checks differ ~10x in cost (a minimiser on many problems beside value checks),
    # so that each limit sits a few times above honest solutions and no more.
    time_limit_s: float | None = Field(default=None, gt=0, le=3600)
    params: dict = {}


class ExerciseSpec(_Strict):
    title: str
    time_limit_s: float = Field(gt=0, le=3600)
    checks: list[CheckSpec] = Field(min_length=1)


class AssignmentSpec(_Strict):
    title: str
    preload: list[str] = ["numpy"]
    due: datetime | None = None    # for the late policy; naive = UTC
    exercises: dict[str, ExerciseSpec] = Field(min_length=1)


class Limits(_Strict):
    memory_mb: int = Field(default=4096, ge=256)
    output_kb: int = Field(default=64, ge=1)
    load_time_s: float = Field(default=30, gt=0)     # CPU seconds to run the files
    # Time limits count CPU seconds (grader/execution/cputime.py); a request may take at
    # most wall_factor x its limit + wall_extra_s of wall-clock time (the backstop).
    wall_factor: float = Field(default=5, ge=1)
    wall_extra_s: float = Field(default=30, ge=0)
    max_processes: int = Field(default=64, ge=1)
    # Uids the grader gives, when it runs as root, to each jail, fork server and (uid mode)
    # submission: uid_base .. uid_base + uid_count - 1, far above real accounts.
    uid_base: int = Field(default=2_000_000, ge=65_536, le=4_000_000_000)
    uid_count: int = Field(default=1_000_000, ge=64, le=200_000_000)
    # Isolation of official grading (grader/sandbox.py): auto = bubblewrap when it
    # works here, else a plain process with a loud warning; bwrap = refuse without it.
    sandbox: Literal["auto", "bwrap", "none"] = "auto"
    tmp_mb: int = Field(default=64, ge=1)          # size of the child's private /tmp and /dev/shm (each)
    file_mb: int = Field(default=256, ge=1)        # largest file the child may write
    submission_mb: int = Field(default=50, ge=1)   # a submission's files, unpacked
    # Largest reply of the child the parent reads (checked on the length prefix, before
    # anything is allocated); correct submissions send at most a few KB per probe.
    reply_kb: int = Field(default=1024, ge=16)
    # Caps on what the parent reads before any sandbox (grader/submission/inputs.py).
    input_file_mb: int = Field(default=25, ge=1)   # any single submitted file
    source_mb: int = Field(default=5, ge=1)        # one .py file or notebook's text
    zip_mb: int = Field(default=25, ge=1)          # a .zip archive itself
    zip_members: int = Field(default=500, ge=1)    # files in a .zip
    zip_ratio: int = Field(default=100, ge=2)      # inflated / compressed, members above 1 MB
    # Caps on what a submission's processes make the parent keep (grader/judge/grade.py):
    # notes from its load errors (count and text, each child's load adding its own), and
    # restarts after protocol faults (frames that are not the grader's protocol, which
    # only code writing to the control channel sends); past that the checks not yet run
    # are errors.
    notes_max: int = Field(default=40, ge=1)
    notes_kb: int = Field(default=16, ge=1)
    protocol_faults: int = Field(default=3, ge=1)


class Feedback(_Strict):
    # What students see of hidden checks in feedback pages and JUnit: the message
    # (which may name hidden inputs), only the score, or nothing.
    hidden: Literal["message", "score", "none"] = "score"


class Late(_Strict):
    """The late policy: after `due` + grace, `penalty` (a fraction of the score earned)
    per started day or hour, at most `cap`; extensions: CSV student_id,assignment,hours."""
    grace_minutes: float = Field(default=0, ge=0)
    per: Literal["day", "hour"] = "day"
    penalty: float = Field(default=0.0, ge=0, le=1)
    cap: float = Field(default=1.0, ge=0, le=1)
    extensions: str | None = None  # relative to course.yml


class CourseInfo(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str


class CourseSpec(_Strict):
    course: CourseInfo
    limits: Limits = Limits()
    feedback: Feedback = Feedback()
    late: Late = Late()
    # `grader release` writes `release: public`: a student copy without hidden checks.
    release: Literal["public"] | None = None
    assignments: dict[str, AssignmentSpec] = Field(min_length=1)


class Check:
    """A check of course.yml bound to its kind, with validated params."""

    def __init__(self, assignment, exercise, spec, kind, params, time_limit_s):
        self.assignment, self.exercise = assignment, exercise
        self.name, self.points, self.hidden = spec.name, spec.points, spec.hidden
        self.kind, self.params = kind, params
        self.time_limit_s = time_limit_s   # CPU seconds: the check's own, else the exercise's

    def __repr__(self):
        return f"<Check {self.assignment}.{self.exercise}.{self.name}>"


class Course:
    """A validated course.yml plus its resolved checks."""

    def __init__(self, spec, path):
        self.spec, self.path = spec, Path(path)
        self.checks = {a: _resolve(a, aspec, self.path) for a, aspec in spec.assignments.items()}

    @property
    def root(self):
        return self.path.parent

    def assignment(self, name):
        if name not in self.spec.assignments:
            raise ConfigError(f"{self.path.name}: no assignment '{name}'; known: "
                              f"{', '.join(self.spec.assignments)}")
        return self.spec.assignments[name]

    def infer_assignment(self, path, given=None):
        """`given` if it names an assignment, else an assignment id found in the
        path (a folder or file named after it), else the only one; ConfigError if none."""
        names = list(self.spec.assignments)
        if given:
            self.assignment(given)
            return given
        for part in reversed(Path(path).resolve().parts):
            stem = Path(part).stem
            for name in names:
                if stem == name or stem.startswith(name):
                    return name
        if len(names) == 1:
            return names[0]
        raise ConfigError(f"cannot tell which assignment {path} is for; pass --assignment "
                          f"({', '.join(names)})")

    def checks_for(self, assignment, exercises=None, include_hidden=True):
        """The checks of an assignment in course.yml order, filtered."""
        self.assignment(assignment)
        unknown = set(exercises or ()) - set(self.spec.assignments[assignment].exercises)
        if unknown:
            raise ConfigError(f"unknown exercise(s) {', '.join(sorted(unknown))} in "
                              f"{assignment}; known: "
                              f"{', '.join(self.spec.assignments[assignment].exercises)}")
        return [c for c in self.checks[assignment]
                if (not exercises or c.exercise in exercises)
                and (include_hidden or not c.hidden)]


def _resolve(assignment, aspec, path):
    checks = []
    for ex_name, ex in aspec.exercises.items():
        seen = set()
        for i, spec in enumerate(ex.checks):
            where = f"{path.name}: assignments.{assignment}.exercises.{ex_name}.checks[{i}]"
            if spec.name in seen:
                raise ConfigError(f"{where}.name: duplicate check name '{spec.name}'")
            seen.add(spec.name)
            kind = get_kind(assignment, ex_name, spec.kind or spec.name)
            if kind is None:
                raise ConfigError(f"{where}.kind: unknown check kind '{spec.kind or spec.name}'; "
                                  f"known: {', '.join(kinds_of(assignment, ex_name)) or 'none'}")
            try:
                params = kind.Params(**spec.params)
            except ValidationError as err:
                raise ConfigError(_format_errors(err, f"{where}.params")) from None
            checks.append(Check(assignment, ex_name, spec, kind, params,
                                spec.time_limit_s or ex.time_limit_s))
    return checks


def _format_errors(err, prefix):
    lines = []
    for e in err.errors():
        key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"])
        lines.append(f"{prefix}{key}: {e['msg']}")
    return "\n".join(lines)


def find_course_file(start=None, given=None):
    """THE rule for which course.yml is used (CLI, check() in a notebook, Gradescope):
    `given` (--course), else $GRADER_COURSE, else the nearest one at or above
    `start` (default: the current folder), else the one beside this package."""
    env = given or os.environ.get("GRADER_COURSE")
    if env:
        return Path(env)
    here = Path(start or os.getcwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / COURSE_FILE).is_file():
            return folder / COURSE_FILE
    return PACKAGE_DIR.parent / COURSE_FILE


# libyaml's parser where PyYAML was built with it (its wheels are): the same safe types,
# parsed about 6x faster; every command, worker and test loads course.yml.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_course(path=None, start=None):
    """Load and validate course.yml (`path`, else find_course_file(start)); raise
    ConfigError naming file and key."""
    path = find_course_file(start, given=path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (set --course or GRADER_COURSE)") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path.name}: not valid YAML: {err}") from None
    try:
        spec = CourseSpec(**(raw or {}))
    except ValidationError as err:
        raise ConfigError(_format_errors(err, path.name + ": ").replace(": .", ": ")) from None
    return Course(spec, path)
