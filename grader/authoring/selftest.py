"""`grader selftest`: prove that the checks have teeth and are fair.

For each assignment:
  reference     solutions/<a>/           must score full marks
  stub          assignments/<a>/         must score 0, every check not_attempted
  mutant        tests/mutants/<a>/*.py   must lose points in its exercise
  alternative   tests/alternatives/<a>/*.py  must keep full marks in its exercise
A mutant or alternative file overrides functions of the reference: it is run
after the reference files, in the same namespace. Its docstring says what it
changes; a line `# exercise: NAME` says which exercise it targets.

Cases are graded concurrently through the fork-server pool (heavy imports once
per worker), the costliest kinds first (each assignment's reference, then the
alternatives: correct work runs every iteration), so no long case is left for the
end while the other workers idle.
A mutant gets a short time limit: a mutant that loops loses its points either way,
and need not hold the run for the full limit that correct work is given. It is
MUTANT_TIME_LIMIT_S, or the check's own if shorter, and once the assignment's
reference is graded (mutants wait for it), HEADROOM_FACTOR times the CPU the
reference used in that check, at least MUTANT_FLOOR_S: a mutant then times out no
sooner than correct work would with the headroom every check must have, and its
loops cost seconds, not MUTANT_TIME_LIMIT_S, per check.

Cache: an instructor runs the selftest after every course.yml edit. Each case's report is
kept in a results database (bulk/store.py, `.grader/selftest.sqlite` in the course root,
CaseCache) under a digest of everything the case's child can read (the reference folder, the
case's file, the stub folder) and of the grader's code and the numeric packages' versions.
The next run reuses it when none of that changed; when course.yml changed some checks'
settings, only those checks are graded again (grade-all's rule, bulk/gradeall.py). Only a
case that met its role's expectation is reused: a failing one is graded again every run.

Headroom: every Outcome keeps the CPU seconds each check used (CheckResult.cpu_s,
measured by execution/cputime.py). `headroom(outcomes, course)` compares, per check,
its limit with the CPU of the reference and of the slowest alternative (correct work by
definition); a check whose slowest correct solution is less than HEADROOM_FACTOR
times under its limit is flagged, because CPU time itself grows on a loaded
machine and an honest but slow student must not time out there.
"""
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from grader.bulk import store
from grader.bulk.gradeall import content_digest, merge_reports
from grader.execution.forkserver import ZygotePool
from grader.judge.grade import grade
from grader.submission.load import Chunk, load_py_file
from grader.submission.locate import load_submission

MUTANT_TIME_LIMIT_S = 8.0
MUTANT_FLOOR_S = 2.0    # a mutant's limit per check is never below this (CPU seconds)
HEADROOM_FACTOR = 3.0   # limit / slowest correct solution's CPU, at least

EXERCISE_LINE = re.compile(r"^#\s*exercise:\s*([a-z0-9_]+)\s*$", re.M)


@dataclass
class Case:
    assignment: str
    role: str                   # reference | stub | mutant | alternative
    name: str
    path: Path
    exercise: str | None = None
    about: str = ""


@dataclass(frozen=True)
class CheckUse:
    """What one check used in one case: CPU seconds of the submission's processes
    (None: not measured) and the check's status (a timeout used its whole limit)."""
    cpu_s: float | None
    status: str


@dataclass
class Outcome:
    case: Case
    score: float
    max_score: float
    ok: bool
    detail: str = ""
    lost: tuple = ()            # names of the checks that lost points (mutants)
    cpu: dict = field(default_factory=dict)   # {(exercise, check): CheckUse} of what ran
    reused: str = ""            # "" graded now; "cached" or "N of M checks regraded"

    def line(self):
        c = self.case
        reused = f" [{self.reused}]" if self.reused else ""
        return (f"{'ok  ' if self.ok else 'FAIL'} {c.assignment:<13} {c.role:<11} {c.name:<32} "
                f"{self.score:g}/{self.max_score:g} {self.detail}{reused}")


def discover(root, assignment):
    """All selftest cases of one assignment under the course root."""
    root = Path(root)
    cases = [Case(assignment, "reference", "reference", root / "solutions" / assignment),
             Case(assignment, "stub", "stub", root / "assignments" / assignment)]
    for role, folder in (("mutant", "mutants"), ("alternative", "alternatives")):
        for path in sorted((root / "tests" / folder / assignment).glob("*.py")):
            text = path.read_text(encoding="utf-8")
            match = EXERCISE_LINE.search(text)
            about = (text.split('"""')[1].strip().splitlines()[0] if '"""' in text else "")
            cases.append(Case(assignment, role, path.stem, path,
                              match.group(1) if match else None, about))
    return cases


def submission_for(case, course):
    """The reference with the case's file run after it (or the folder itself)."""
    order = list(course.assignment(case.assignment).exercises)
    if case.role in ("reference", "stub"):
        return load_submission(case.path, order, case.assignment)
    sub = load_submission(course.root / "solutions" / case.assignment, order, case.assignment)
    # Run inside the exercise's module, so the reference's other functions call the mutant.
    sub.chunks += [Chunk(f"{case.path.name}", c.code, c.first_line, case.exercise or "")
                   for c in load_py_file(case.path).chunks]
    return sub


def case_exercises(case):
    """The exercises a case is graded on: its target exercise, or all (None)."""
    return [case.exercise] if case.exercise else None


def case_time_limits(case, course, reference=None):
    """{exercise or (exercise, check): seconds} capping course.yml's limits for this case
    (a mutant's shorter limit; judge.grade keeps a check's own limit where it is shorter).
    reference: the Outcome of the assignment's reference, when graded: per check,
    HEADROOM_FACTOR x its CPU there, at least MUTANT_FLOOR_S (see the module docstring)."""
    if case.role != "mutant":
        return None
    caps = {case.exercise: MUTANT_TIME_LIMIT_S}
    for (exercise, name), use in (reference.cpu.items() if reference else ()):
        if exercise == case.exercise and use.status == "passed" and use.cpu_s is not None:
            caps[exercise, name] = min(MUTANT_TIME_LIMIT_S,
                                       max(MUTANT_FLOOR_S, HEADROOM_FACTOR * use.cpu_s))
    return caps


def grade_case(case, course, session_factory=None, reference=None, only=None):
    """The Report of one case, graded as the selftest grades it (reference: the
    reference's Outcome, for a mutant's limits; only: just these (exercise, name) checks).
    The stub case runs in a child (no parent-side shortcut): it is what proves that
    shortcut right (judge/untouched.py)."""
    return grade(submission_for(case, course), course, case.assignment,
                 exercises=case_exercises(case), session_factory=session_factory,
                 time_limits=case_time_limits(case, course, reference), only=only,
                 decide_untouched=case.role != "stub")


def run_case(case, course, session_factory=None, reference=None):
    """Grade one case and judge it against its role's expectation.

    session_factory: a judge.grade session factory (default: a fresh child per case);
    reference: the assignment's reference Outcome (a mutant's limits, case_time_limits)."""
    if _unlabelled(case):
        return judge_case(case, None)
    return judge_case(case, grade_case(case, course, session_factory, reference))


def _unlabelled(case):
    return case.role in ("mutant", "alternative") and not case.exercise


def judge_case(case, rep):
    """The Outcome of a case from its Report: does it meet its role's expectation?"""
    if _unlabelled(case):
        return Outcome(case, 0, 0, False, "missing '# exercise: NAME' line")
    outcome = _judge(case, rep)
    outcome.cpu = {(c.exercise, c.name): CheckUse(c.cpu_s, c.status) for c in rep.checks}
    return outcome


def _judge(case, rep):
    score, top = rep.score, rep.max_score
    bad = [f"{c.exercise}.{c.name}: {c.status} {c.message[:160]}" for c in rep.checks
           if c.status != "passed"]
    if case.role in ("reference", "alternative"):
        return Outcome(case, score, top, score == top, "; ".join(bad[:3]))
    if case.role == "stub":
        wrong = [c for c in rep.checks if c.status != "not_attempted" or c.score]
        return Outcome(case, score, top, not wrong,
                       "; ".join(f"{c.exercise}.{c.name}: {c.status}" for c in wrong[:3]))
    lost = [f"{c.name}" for c in rep.checks if c.score < c.max_score]
    return Outcome(case, score, top, score < top,
                   ("caught by " + ", ".join(lost)) if lost else "NOT CAUGHT: " + case.about,
                   tuple(lost))


# ------------------------------------------------------------------ cache
CACHE_PATH = Path(".grader") / "selftest.sqlite"   # under the course root
VERSIONED = ("numpy", "autograd", "torch")          # what the cases' numbers depend on


class CaseCache:
    """Reports of earlier selftest runs, in a results database (see the module docstring).

    lookup(case) -> (Report, stale): the newest report of the case's unchanged files by
    this grader code, with the set of its checks' (exercise, name) whose course.yml
    settings changed since (empty: reuse it whole); (None, None) when there is none.
    record(case, report): keep a report that met its role's expectation."""

    def __init__(self, course, path=None, reuse=True):
        path = Path(path) if path else course.root / CACHE_PATH
        self.reuse = reuse   # False: look nothing up (--fresh), still record
        path.parent.mkdir(parents=True, exist_ok=True)
        self.course, self.db = course, store.open_db(path)
        self.code = store.code_version() + ":" + _package_versions()
        self.settings, self.digests = {}, {}

    def _settings(self, assignment):
        if assignment not in self.settings:
            self.settings[assignment] = store.check_settings(self.course, assignment)
        return self.settings[assignment]

    def digest(self, case):
        """sha256 over what the case's child can read: the reference folder (mutants and
        alternatives run after it), the case's own file or folder, and its role."""
        key = (case.assignment, case.role, case.name)
        if key not in self.digests:
            h = hashlib.sha256(f"{case.role}\0{case.name}\0{case.exercise}\0".encode())
            if case.role in ("mutant", "alternative"):
                h.update(content_digest(self.course.root / "solutions" / case.assignment)
                         .encode())
            h.update(content_digest(case.path).encode())
            self.digests[key] = h.hexdigest()
        return self.digests[key]

    def lookup(self, case):
        if not self.reuse:
            return None, None
        row = self.db.reusable(case.assignment, _student(case), self.digest(case), self.code)
        if row is None:
            return None, None
        report, _, old = self.db.report(row["id"])
        mine = {(c.exercise, c.name) for c in self.course.checks_for(
            case.assignment, case_exercises(case))}
        stale = {k for k, v in self._settings(case.assignment).items()
                 if k in mine and old.get(k) != v}
        return report, stale

    def record(self, case, report):
        self.db.record(case.assignment, _student(case), report, digest=self.digest(case),
                       code_version=self.code, course_digest=store.course_digest(self.course),
                       settings=self._settings(case.assignment))

    def close(self):
        self.db.close()


def _student(case):
    return f"selftest:{case.role}:{case.name}"


def _package_versions():
    from importlib.metadata import PackageNotFoundError, version
    out = []
    for name in VERSIONED:
        try:
            out.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}=-")
    return ",".join(out)


def cached_case(case, course, cache, session_factory, reference=None):
    """run_case through the cache: reuse the case's earlier report where nothing it
    depends on changed, regrade only the checks whose settings changed, and keep the
    result when it met the role's expectation (a failing case is graded again next run)."""
    if cache is None or _unlabelled(case):
        return run_case(case, course, session_factory, reference)
    before, stale = cache.lookup(case)
    if before is not None and not stale:
        outcome = judge_case(case, before)
        if outcome.ok:
            outcome.reused = "cached"
            return outcome
        before = None
    if before is None:
        report = grade_case(case, course, session_factory, reference)
    else:
        report = merge_reports(before, grade_case(case, course, session_factory, reference,
                                                  only=stale), course, case.assignment)
    outcome = judge_case(case, report)
    if before is not None:
        outcome.reused = f"{len(stale)} of {len(report.checks)} checks regraded"
    if outcome.ok and not report.not_graded():
        cache.record(case, report)
    return outcome


def all_cases(course, assignments=None):
    """Every case of `assignments` (default: all of course.yml), in the table's order."""
    return [c for a in (assignments or course.spec.assignments) for c in discover(course.root, a)]


ROLE_ORDER = {"reference": 0, "alternative": 1, "mutant": 2, "stub": 3}  # costliest first


def run_selftest(course, assignments=None, workers=2, progress=None, cache=None):
    """Run every case (in parallel threads, each forking from its own fork server; each
    assignment's reference first, mutants once it is graded); the Outcomes in all_cases'
    order. progress: callable(Outcome), as each finishes; cache: a CaseCache (None: grade
    every case)."""
    cases = all_cases(course, assignments)
    outcomes = [None] * len(cases)
    zygotes, pool = ZygotePool(course), ThreadPoolExecutor(max_workers=max(1, workers))
    references = {}

    def run(case):
        reference = None
        if case.role == "mutant" and case.assignment in references:
            done = references[case.assignment].result()
            reference = done if done.ok else None
        return cached_case(case, course, cache, zygotes.session_factory(case.assignment),
                           reference)
    try:
        futures = {}
        for i in sorted(range(len(cases)), key=lambda i: ROLE_ORDER.get(cases[i].role, 9)):
            future = pool.submit(run, cases[i])
            futures[future] = i
            if cases[i].role == "reference":
                references.setdefault(cases[i].assignment, future)
        for future in as_completed(futures):
            outcomes[futures[future]] = future.result()
            if progress:
                progress(outcomes[futures[future]])
    finally:
        # Ctrl-C: queued cases never start; closing the pool kills the running ones.
        pool.shutdown(wait=False, cancel_futures=True)
        zygotes.close()
    return outcomes


def format_table(outcomes):
    lines = [o.line() for o in outcomes]
    n_bad = sum(not o.ok for o in outcomes)
    by_role = {}
    for o in outcomes:
        by_role[o.case.role] = by_role.get(o.case.role, 0) + 1
    whole = sum(o.reused == "cached" for o in outcomes)
    partly = sum(bool(o.reused) and o.reused != "cached" for o in outcomes)
    reused = (f"; {whole} taken whole from the cache of an earlier run, {partly} with only "
              f"the checks course.yml changed graded again (--fresh: grade all)"
              if whole or partly else "")
    lines.append(f"selftest: {len(outcomes) - n_bad} of {len(outcomes)} cases as expected "
                 f"({', '.join(f'{n} {r}' for r, n in by_role.items())}){reused}")
    return "\n".join(lines)


def kill_counts(outcomes, course):
    """{(assignment, exercise, check): number of mutants that lost points on it}, for
    every check of course.yml of the assignments the outcomes cover (0 included)."""
    assignments = sorted({o.case.assignment for o in outcomes})
    counts = {(a, c.exercise, c.name): 0 for a in assignments for c in course.checks_for(a)}
    for o in outcomes:
        if o.case.role == "mutant":
            for name in o.lost:
                key = (o.case.assignment, o.case.exercise, name)
                if key in counts:
                    counts[key] += 1
    return counts


def format_accuracy(outcomes, course):
    """Per check: how many mutants it catches; the checks no mutant fails (with the
    reason from authoring/rules.NO_MUTANT, or flagged); then docstring rules -> checks."""
    from grader.authoring.rules import NO_MUTANT, RULES
    counts = kill_counts(outcomes, course)
    lines = ["", "mutants caught, per check:"]
    for key, n in counts.items():
        lines.append(f"  {'.'.join(key):<48} {n:3d}")
    zero = [k for k, n in counts.items() if n == 0]
    lines.append("checks no mutant fails: " + (", ".join(
        f"{'.'.join(k)} ({NO_MUTANT.get(k, 'NO REASON GIVEN: add a mutant')})" for k in zero)
        or "none"))
    lines += ["", "docstring rules -> checks (mutants caught):"]
    for (a, e), rules in RULES.items():
        if a not in {o.case.assignment for o in outcomes}:
            continue
        lines.append(f"  {a}.{e}")
        for rule, checks in rules:
            lines.append(f"    {rule}: " + ", ".join(f"{c} ({counts.get((a, e, c), 0)})"
                                                     for c in checks))
    return "\n".join(lines)


def uncaught_checks(outcomes, course):
    """Checks no mutant fails and NO_MUTANT does not explain."""
    from grader.authoring.rules import NO_MUTANT
    return [k for k, n in kill_counts(outcomes, course).items() if n == 0 and k not in NO_MUTANT]


# ------------------------------------------------------------------ headroom
@dataclass
class Headroom:
    """One check's time limit against correct work's CPU (seconds): the reference's,
    and the slowest correct solution's (the reference or an alternative of the
    check's exercise), with its name. A solution that timed out counts as using
    at least the whole limit."""
    assignment: str
    exercise: str
    check: str
    limit_s: float
    reference_s: float | None
    slowest_s: float | None
    slowest: str

    @property
    def ratio(self):
        """limit / slowest correct CPU (inf when nothing was measured as using CPU)."""
        return self.limit_s / self.slowest_s if self.slowest_s else float("inf")

    @property
    def flagged(self):
        return self.ratio < HEADROOM_FACTOR


def _cpu_of(use, limit_s):
    """CPU seconds a CheckUse stands for: a timeout used at least its limit."""
    if use is None:
        return None
    if use.status == "timeout":
        return max(use.cpu_s or 0.0, limit_s)
    return use.cpu_s


def headroom(outcomes, course):
    """[Headroom] for every check of course.yml that the outcomes' reference or
    alternatives ran, in course.yml order."""
    rows = []
    for a in sorted({o.case.assignment for o in outcomes}):
        for check in course.checks_for(a):
            correct = [o for o in outcomes if o.case.assignment == a and (
                o.case.role == "reference" or (o.case.role == "alternative"
                                               and o.case.exercise == check.exercise))]
            rows.append(_headroom_row(check, correct))
    return [r for r in rows if r.slowest]


def _headroom_row(check, correct):
    key, limit = (check.exercise, check.name), check.time_limit_s
    reference_s, slowest_s, slowest = None, None, ""
    for o in correct:
        cpu = _cpu_of(o.cpu.get(key), limit)
        if cpu is None:
            continue
        if o.case.role == "reference":
            reference_s = cpu
        if slowest_s is None or cpu > slowest_s:
            slowest_s, slowest = cpu, o.case.name
    return Headroom(check.assignment, check.exercise, check.name, limit, reference_s,
                    slowest_s, slowest)


def format_headroom(rows, load=None):
    """The headroom table: per check its limit, the reference's CPU, the slowest correct
    solution's CPU and name, limit / slowest, LOW when under HEADROOM_FACTOR.
    load: the machine's 1-minute load average while it ran (said in the heading)."""
    during = f"; load average {load:.1f} at the end" if load is not None else ""
    names = [f"{r.assignment}.{r.exercise}.{r.check}" for r in rows]
    width = max(map(len, names), default=5)
    lines = ["", f"headroom: CPU seconds per check (flagged LOW when the slowest correct "
             f"solution is under {HEADROOM_FACTOR:g}x below the limit{during}):",
             f"  {'check':<{width}} {'limit':>6} {'ref':>7} {'slowest':>8} {'ratio':>7}  which"]
    for name, r in zip(names, rows):
        ref = f"{r.reference_s:7.2f}" if r.reference_s is not None else f"{'-':>7}"
        ratio = f"{r.ratio:6.1f}x" if r.ratio < 1000 else " >999x"
        lines.append(f"  {name:<{width}} {r.limit_s:6g} {ref} {r.slowest_s:8.2f} {ratio}  "
                     f"{r.slowest}" + ("  LOW" if r.flagged else ""))
    low = [r for r in rows if r.flagged]
    lines.append(f"headroom: {len(low)} of {len(rows)} checks under {HEADROOM_FACTOR:g}x"
                 + (": " + ", ".join(f"{r.exercise}.{r.check}" for r in low) if low else ""))
    return "\n".join(lines)
