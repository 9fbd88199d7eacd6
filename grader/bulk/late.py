"""Submission times and the late policy (course.yml `late`, `assignments.<a>.due`).

    when  = submitted_at(path)                 timestamp.txt, else the newest file's mtime
    late  = LatePolicy.from_course(course, assignment)
    frac  = late.penalty_fraction(student, when)   0 .. cap

After `due` (+ the student's extension, + `grace_minutes`), every started day
(or hour, `per`) costs `penalty` of the score earned, at most `cap`. Extensions:
a CSV `student_id,assignment,hours` (assignment empty = every assignment), its
path relative to course.yml. Times are UTC; they are written in nbgrader's
format ("2026-10-01 23:59:00.000000").
"""
import csv
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from grader.submission.inputs import read_small_text, regular_files

NBGRADER_TIME = "%Y-%m-%d %H:%M:%S.%f"


def parse_time(text):
    """A timestamp (ISO 8601, or nbgrader's timestamp.txt: '2026-01-01 09:00:00.123 UTC' or
    with an IANA zone name) -> aware UTC datetime, or None if unreadable."""
    text = (text or "").strip()
    zone = None
    if text and not text[-1].isdigit() and " " in text:
        text, name = text.rsplit(" ", 1)
        try:
            from zoneinfo import ZoneInfo
            zone = ZoneInfo(name)
        except Exception:  # noqa: BLE001 - an unknown zone name: read the time as UTC
            zone = timezone.utc
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone or timezone.utc)
    return when.astimezone(timezone.utc)


def nbgrader_time(when):
    """Aware datetime -> nbgrader's gradebook format in UTC; '' for None."""
    return when.astimezone(timezone.utc).strftime(NBGRADER_TIME) if when else ""


def submitted_at(path):
    """When `path` was handed in: its folder's timestamp.txt (nbgrader, a collector), else
    the newest modification time of the file(s); None if neither can be read."""
    path = Path(path)
    folder = path if path.is_dir() else None
    stamp = folder / "timestamp.txt" if folder else None
    if stamp:
        # At most 100 bytes of a regular file that is no link: never a FIFO's wait
        # or a link to a huge file (the student controls this file).
        when = parse_time(read_small_text(stamp, 100))
        if when:
            return when
    try:
        files = regular_files(path) if folder else [path]   # the files that are graded
        newest = max((p.stat().st_mtime for p in files), default=None)
    except OSError:
        return None
    return datetime.fromtimestamp(newest, timezone.utc) if newest else None


@dataclass
class LatePolicy:
    due: datetime | None = None
    grace: timedelta = timedelta(0)
    unit: timedelta = timedelta(days=1)
    penalty: float = 0.0
    cap: float = 1.0
    extensions: dict = field(default_factory=dict)  # student -> timedelta

    @classmethod
    def from_course(cls, course, assignment, due_override=""):
        spec = course.spec.late
        due = parse_time(due_override) if due_override else course.assignment(assignment).due
        if due is not None and due.tzinfo is None:
            due = due.replace(tzinfo=timezone.utc)
        extensions = {}
        if spec.extensions:
            extensions = read_extensions(Path(course.path).parent / spec.extensions, assignment)
        return cls(due, timedelta(minutes=spec.grace_minutes),
                   timedelta(days=1) if spec.per == "day" else timedelta(hours=1),
                   spec.penalty, spec.cap, extensions)

    def deadline(self, student):
        return self.due + self.extensions.get(student, timedelta(0))

    def late_by(self, student, when):
        """How late (a timedelta > 0) past the student's deadline and the grace, or None."""
        if self.due is None or when is None:
            return None
        late = when - self.deadline(student)
        return late if late > self.grace else None

    def penalty_fraction(self, student, when):
        """The fraction of the score earned that is taken off (0 .. cap)."""
        late = self.late_by(student, when)
        if late is None:
            return 0.0
        units = math.ceil(late / self.unit)
        return min(self.cap, units * self.penalty)


def read_extensions(path, assignment):
    """{student_id: timedelta} from a CSV student_id,assignment,hours (ConfigError-free:
    a missing file is an error the caller reports)."""
    out = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            sid = (row.get("student_id") or row.get("id") or "").strip()
            if sid and (row.get("assignment") or "").strip() in ("", assignment):
                out[sid] = out.get(sid, timedelta(0)) + timedelta(hours=float(row["hours"]))
    return out


def apply(graded, policy):
    """Set each Graded's `penalty` (points) and add a note to its report for the feedback."""
    for g in graded:
        when = parse_time(g.item.timestamp)
        fraction = policy.penalty_fraction(g.item.student, when)
        g.penalty = round(g.report.score * fraction, 6)
        late = policy.late_by(g.item.student, when)
        if late is not None:
            g.report.notes.append(
                f"late policy: handed in {_span(late)} after the deadline "
                f"{nbgrader_time(policy.deadline(g.item.student))[:16]} UTC; penalty "
                f"{fraction:.0%} of {g.report.score:g} = {g.penalty:g} points, "
                f"score {g.report.score - g.penalty:g}")
    return graded


def _span(delta):
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"
