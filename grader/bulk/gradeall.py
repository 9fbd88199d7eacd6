"""Grade a whole class: parallel workers, each forking fresh children from its own zygote.

    items   = find_submissions(folder, assignment)       who submitted what
    results = grade_all(items, course, assignment, ...)   cached ones are skipped
    gradebook.write_csv(...), feedback.write(...), summary(results)

Nothing loses a student's grade: whatever goes wrong with one submission
(unreadable file, crashed grader process, a bug of ours) becomes a recorded
row of zeros with a message, and the run goes on. Results are cached next to
the gradebook, keyed by the submission's content hash and the grader's
version (its code and course.yml), so a re-run grades only what changed.
"""
import hashlib
import os
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from grader.judge import results as R
from grader.execution.sandbox import SandboxUnavailable, isolation_note
from grader.judge.grade import grade, zero_report
from grader.reports import escape
from grader.reports.plots import ObservingSession, hidden_digests
from grader.judge.results import Report
from grader.submission.inputs import (InputError, check_file, entry_problem, regular_files)
from grader.submission.load import SubmissionError
from grader.submission.locate import find_submissions as located, load_submission
from grader.execution.forkserver import ZygotePool
from grader.execution.hiding import prepare_official
from grader.bulk import late
from grader import PACKAGE_DIR

CACHE_FORMAT = 1


@dataclass
class Item:
    """One student's submission: a file or folder (graded by submission/locate.py's rule)."""
    student: str
    path: Path
    timestamp: str = ""
    problem: str = ""    # why the submission must not be read (a recorded zero), or ''
    notes: list = field(default_factory=list)  # e.g. several files handed in: which one counts
    only: frozenset | None = None  # grade just these (exercise, name) checks


@dataclass
class Graded:
    item: Item
    report: Report
    plots: list = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False
    crashed: bool = False
    digest: str = ""
    penalty: float = 0.0  # points taken off by the late policy (late.apply)
    stale: frozenset = frozenset()   # cached, but these checks' settings changed since
    regraded: frozenset = frozenset()  # only these checks were graded in this run
    previous_score: float | None = None  # the score before that partial regrade


# ------------------------------------------------------------------ discovery
def find_submissions(folder, assignment):
    """Submissions under `folder` (layouts: see bulk.find_submissions), as Items.

    A student folder in which nothing gradable was found still gets an item
    (graded, it becomes a recorded zero with the reason) so nobody drops out.
    """
    items = []
    for student, path, notes in located(folder, assignment):
        path = Path(path)
        # lstat before anything is read: a link out of the folder, a FIFO, a device
        problem = entry_problem(path, path.parent) or ""
        items.append(Item(student, path, notes=notes, problem=problem))
    for item in items:
        if not item.timestamp and not item.problem:
            # nbgrader's format, from timestamp.txt or the files' mtime
            item.timestamp = late.nbgrader_time(late.submitted_at(item.path))
    return sorted(items, key=lambda i: i.student)


def missing_from_roster(graded, roster, course, assignment):
    """A zero row "no submission" for every roster student who handed nothing in."""
    have = {g.item.student for g in graded}
    return [Graded(Item(sid, Path()), zero_report(course, assignment, "no submission"))
            for sid in sorted(set(roster or ()) - have)]


# ---------------------------------------------------------------------- cache
def content_digest(path, limits=None):
    """sha256 of a file, or of a folder's relative paths and bytes; InputError for a
    file that must not be read. A folder's files are inputs.regular_files(path, limits),
    the very list the loader reads and the child's copy holds (links and .git/ in neither),
    so the key covers everything the child can read of the submission."""
    path, h = Path(path), hashlib.sha256()
    if path.is_dir():
        files = regular_files(path, limits)
    else:
        check_file(path, limits)
        files = [path]
    for f in files:
        h.update(os.fsencode(f.relative_to(path) if f != path else f.name) + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def grader_version(course):
    """Changes whenever the grader's code or course.yml changes."""
    from grader import __version__
    h = hashlib.sha256(f"{CACHE_FORMAT}:{__version__}".encode())
    package = PACKAGE_DIR
    for f in sorted(package.rglob("*.py")):
        h.update(str(f.relative_to(package)).encode() + f.read_bytes())
    h.update(Path(course.path).read_bytes())
    return h.hexdigest()


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped grade_all: `finished` of `total` submissions were done, and every
    one of them that is cacheable is in the cache (flushed), so a re-run grades the rest."""

    def __init__(self, finished, total, cache_path):
        self.finished, self.total, self.cache_path = finished, total, cache_path
        kept = f"kept in {cache_path}" if cache_path else "not kept (no cache)"
        super().__init__(f"interrupted: {finished} of {total} submissions graded, {kept}; "
                         f"run the same command again to grade the other {total - finished}")


class StoreCache:
    """The results database (bulk/store.py) as grade-all's cache.

    get(): the newest grading of the same files by the same grader code; when course.yml
    changed only some checks' settings since, the Graded comes back with `stale` naming
    them, and only those are graded again (merge_stale puts the old and new together).
    put(): every grading is recorded, a crashed one too (as 'not graded', never reused)."""

    def __init__(self, path, course, assignment, reuse=True, variant=""):
        from grader.bulk import store
        self.store, self.reuse, self.path = store, reuse, path
        self.db = store.open_db(path)
        store.import_json_cache(self.db, Path(path).with_name(
            Path(path).stem + ".csv.cache.json"))
        # variant: how the run may isolate ("unsandboxed" when --allow-unsandboxed): a
        # grading whose child could have forged its results is never reused by a run that
        # isolates, and the other way round.
        self.code = store.code_version() + (f":{variant}" if variant else "")
        self.course = store.course_digest(course)
        self.settings = store.check_settings(course, assignment)

    def get(self, item, digest, assignment):
        row = self.db.reusable(assignment, item.student, digest, self.code) if self.reuse \
            else None
        if row is None:
            return None
        rep, plots, old = self.db.report(row["id"])
        g = Graded(item, rep, plots, row["seconds"], cached=True, digest=digest)
        g.stale = frozenset(k for k, v in self.settings.items() if old.get(k) != v)
        return g

    def put(self, g, assignment):
        self.db.record(assignment, g.item.student, g.report, digest=g.digest,
                       code_version=self.code, course_digest=self.course,
                       status=self.store.NOT_GRADED if g.crashed else self.store.GRADED,
                       submitted_at=g.item.timestamp, seconds=g.seconds, plots=g.plots,
                       settings=self.settings)

    def flush(self):
        """Nothing to do: each grading is its own committed transaction."""

    def close(self):
        self.db.close()


class NoCache:
    path = None

    def get(self, item, digest, assignment):
        return None

    def put(self, g, assignment):
        pass

    def flush(self):
        pass

    def close(self):
        pass


def merge_stale(old, new, course, assignment):
    """old's Graded with the checks that were graded again taken from `new` (merge_reports);
    plots: old's whose title new has not, then new's. `new` keeps its crashed flag: a crashed
    partial regrade is still a whole report, not yet reusable."""
    merge_reports(old.report, new.report, course, assignment)
    titles = {p.get("title") for p in new.plots}
    new.plots = [p for p in old.plots if p.get("title") not in titles] + new.plots
    return new


def merge_reports(old, new, course, assignment):
    """Put into Report `new` (a regrade of some checks) old's other checks, in course order
    (a check course.yml no longer has is dropped); returns `new`. Notes and hidden notes:
    old's, then new's not already there; output: new's, else old's (a regrade of hidden
    checks alone starts no public child)."""
    fresh = {(c.exercise, c.name): c for c in new.checks}
    kept = {(c.exercise, c.name): c for c in old.checks}
    new.checks = [fresh.get((c.exercise, c.name)) or kept[c.exercise, c.name]
                  for c in course.checks_for(assignment)
                  if (c.exercise, c.name) in fresh or (c.exercise, c.name) in kept]
    new.notes = _union(old.notes, new.notes)
    new.hidden_notes = _union(old.hidden_notes, new.hidden_notes)
    new.output = new.output or old.output
    return new


def _union(first, second):
    seen = set(first)
    return list(first) + [n for n in second if n not in seen and not seen.add(n)]


# -------------------------------------------------------------------- grading
def grade_one(item, course, assignment, factory, skip=frozenset(), mode=None):
    """Grade one submission; never raises (a failure is a zero row with the reason), except
    SandboxUnavailable from `factory` (the run cannot grade here: not this student's zero).
    mode: the run's isolation ('bwrap' | 'uid' | 'unsandboxed'), or a callable giving it,
    for the report's note; asked only if a child was started (an untouched release,
    decided in the parent, ran no student code: no note, no sandbox probe);
    item.only: grade just these (exercise, name) checks (the rest are kept from before)."""
    started, plots, crashed, sessions = time.perf_counter(), [], False, []

    def observed(request):
        sessions.append(factory(request))
        return ObservingSession(sessions[-1], plots, skip)
    try:
        order = list(course.assignment(assignment).exercises)
        sub = load_submission(item.path, order, assignment, course.spec.limits)
        try:
            rep = grade(sub, course, assignment, session_factory=observed,
                        only=getattr(item, "only", None))
        finally:
            sub.close()
        rep.notes += item.notes
        if any(getattr(s, "infra_fault", False) for s in sessions) or any(
                c.status == R.INFRASTRUCTURE for c in rep.checks):
            crashed = True  # not cached: the next run grades it again
            rep.notes.append("the grader's own process failed during grading; these results "
                             "are provisional and the submission is regraded on the next run")
    except SubmissionError as err:
        rep, crashed = zero_report(course, assignment, f"The submission could not be read: "
                                                       f"{err}"), True
    except SandboxUnavailable:
        raise  # a lazy pool's first child: grading cannot run here (exit 1), for anyone
    except Exception as err:  # noqa: BLE001 - one submission must never stop the class
        rep, crashed = zero_report(course, assignment, "The grader could not grade this "
                                   f"submission ({type(err).__name__}: {err}); it was recorded "
                                   "as zero. Please tell your instructor."), True
    note = isolation_note(mode() if callable(mode) else mode) if sessions else None
    if note and not crashed:
        rep.notes.append(note)
    return Graded(item, rep, plots, time.perf_counter() - started, crashed=crashed)


def grade_all(items, course, assignment, workers=None, cache_path=None, progress=None,
              require_sandbox=False, official=None, runner=None, reuse=True):
    """Grade `items` in parallel; returns Graded in the order of `items`.

    Args: workers: parallel submissions (default: CPU count); cache_path: the
    results database (bulk/store.py; None: none), which every grading is added to
    and earlier ones are reused from unless reuse is False; progress: a
    callable(Graded) called as each one finishes (cached ones included);
    official: for official grading, {"allow_unsandboxed": bool, "hide": [paths]}
    (see execution.hiding.prepare_official), checked before anything runs;
    runner: who grades what the cache lacks, a callable(todo, course,
    assignment) yielding (index, Graded) exactly once per (index, item,
    digest) of `todo`, in any order (default: `grade_here`, this machine's
    fork-server pool; bulk/cluster.py: a Dask cluster). A crashed Graded is
    recorded but never cached.
    """
    workers = max(1, workers or os.cpu_count() or 1)
    variant = "unsandboxed" if (official or {}).get("allow_unsandboxed") else ""
    cache = StoreCache(cache_path, course, assignment, reuse, variant) if cache_path \
        else NoCache()
    try:
        return _grade_all(items, course, assignment, cache, workers, progress,
                          require_sandbox, official, runner)
    finally:
        cache.close()


def _grade_all(items, course, assignment, cache, workers, progress, require_sandbox, official,
               runner):
    done, todo, before = {}, [], {}
    for i, item in enumerate(items):
        try:
            if item.problem:
                raise InputError(item.problem)
            digest = content_digest(item.path, course.spec.limits)
        except (OSError, InputError) as err:
            g = Graded(item, zero_report(course, assignment, f"The submission could not be "
                                                             f"read: {err}"), crashed=True)
            done[i] = g
            continue
        g = cache.get(item, digest, assignment)
        if g is not None and not g.stale:
            done[i] = g
        elif g is not None:   # course.yml changed some checks: grade only those again
            before[i] = g
            todo.append((i, replace(item, only=g.stale), digest))
        else:
            todo.append((i, item, digest))
    for g in list(done.values()):
        if progress:
            progress(g)
    if todo:
        run = runner or partial(grade_here, workers=workers, require_sandbox=require_sandbox,
                                official=official)
        digests = {i: digest for i, _item, digest in todo}
        results = run(todo, course, assignment)
        try:
            for i, g in results:
                g.digest = digests[i]
                if i in before:
                    g = merge_stale(before[i], g, course, assignment)
                    g.item, g.regraded = items[i], before[i].stale
                    g.previous_score = before[i].report.score
                done[i] = g
                cache.put(g, assignment)
                if progress:
                    progress(g)
        except KeyboardInterrupt:
            # Ctrl-C: the runner stops its work as it closes (below); what is done stays.
            raise Interrupted(len(done), len(items), cache.path) from None
        finally:
            getattr(results, "close", lambda: None)()  # a generator's pool stops now, not at gc
            cache.flush()
    return [done[i] for i in range(len(items))]


def grade_here(todo, course, assignment, workers=1, require_sandbox=False, official=None):
    """The local runner: `workers` threads, each forking from its own zygote;
    yields (index, Graded) as each of `todo`'s (index, item, digest) finishes
    (`official`: as for grade_all, checked before anything runs)."""
    prepare = None
    if official is not None:
        prepare = partial(prepare_official, course_root=course.root,
                          others=official.get("hide", ()),
                          allow_unsandboxed=official.get("allow_unsandboxed", False))
    # lazy: the sandbox probe and official grading's checks wait for the first child, so a
    # class of untouched release notebooks (decided in the parent) pays neither.
    pool, ex = ZygotePool(course, require_sandbox, lazy=True, prepare=prepare), None
    try:
        skip = _HiddenDigests(course, assignment)
        ex = ThreadPoolExecutor(max_workers=min(workers, len(todo)))
        futures = {ex.submit(_pooled, pool, item, course, assignment, skip): i
                   for i, item, _digest in todo}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    finally:
        # Normally every future is done here. Stopped early (Ctrl-C, the consumer closed
        # us): queued submissions never start, and closing the pool kills the running
        # ones' processes, so their threads end within moments instead of grading on.
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)
        pool.close()


class _HiddenDigests:
    """plots.hidden_digests(course, assignment), worked out when a child's reply is first
    looked at (planning every hidden check's cases: ~10-20 ms a run that a class of
    untouched notebooks, which starts no child, never needs). Used as ObservingSession's
    `skip`: only `in` is asked of it, from any worker thread."""

    def __init__(self, course, assignment):
        self.course, self.assignment = course, assignment
        self.lock, self.digests = threading.Lock(), None

    def __contains__(self, digest):
        with self.lock:
            if self.digests is None:
                self.digests = hidden_digests(self.course, self.assignment)
        return digest in self.digests


def _pooled(pool, item, course, assignment, skip):
    try:
        factory = pool.session_factory(assignment)
        return grade_one(item, course, assignment, factory, skip, lambda: pool.isolation)
    except SandboxUnavailable:
        raise  # grade_all's caller says so and exits 1: nobody's zero
    except Exception as err:  # noqa: BLE001 - e.g. the zygote cannot start at all
        return Graded(item, zero_report(course, assignment, f"The grader could not grade this "
                                        f"submission ({type(err).__name__}: {err})."),
                      crashed=True)


# ------------------------------------------------------------------- progress
class Progress:
    """Progress of long work on stderr: a tqdm bar with rate and ETA on a terminal; plain
    lines in CI logs and pipes (every `every` of the total, 0: every item). Never on
    stdout, which may carry a machine-readable result. The one progress display of the
    grader: grade-all (submissions), selftest (cases), grade (checks).

    Args: total: items expected; verb, unit: how a line reads ("graded 3/40 (8%)
    0.52 submissions/s ..."); describe: callable(item) -> a few words on the item just
    done (default: a Graded's student and score); every: fraction of the total between
    plain lines; stream, tty: where to write, and whether it is a terminal (default:
    stderr, and ask it). Call it with each finished item; close() at the end.
    """

    def __init__(self, total, stream=None, tty=None, verb="graded", unit="submissions",
                 describe=None, every=0.1):
        self.total, self.count, self.started = total, 0, time.monotonic()
        self.stream = stream or sys.stderr
        self.verb, self.unit, self.every = verb, unit, every
        self.describe = describe or (lambda g: f"{g.item.student}: {g.report.score:g}")
        tty = self.stream.isatty() if tty is None else tty
        self.bar = None
        if tty:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit=unit.rstrip("s"), file=self.stream,
                            dynamic_ncols=True, smoothing=0.1)
        self.next_line = 0
        self.lines = describe is not None  # plain lines name the item only if asked to

    def __call__(self, item):
        self.count += 1
        if self.bar is not None:
            self.bar.set_postfix_str(escape.plain(self.describe(item)), refresh=False)
            self.bar.update(1)
            return
        if self.count >= self.next_line or self.count == self.total:
            elapsed = time.monotonic() - self.started
            rate = self.count / elapsed if elapsed > 0 else 0.0
            eta = (self.total - self.count) / rate if rate > 0 else 0.0
            what = f"  {escape.plain(self.describe(item))}" if self.lines else ""
            print(f"{self.verb} {self.count}/{self.total} "
                  f"({100 * self.count / max(self.total, 1):.0f}%){what}  {rate:.2f} "
                  f"{self.unit}/s  elapsed {elapsed:.0f}s  ETA {eta:.0f}s",
                  file=self.stream, flush=True)
            self.next_line = self.count + max(1, int(self.total * self.every))

    def note(self, text):
        """A line of its own (e.g. a failure), above the bar on a terminal. Student ids
        and messages go through escape.plain: no escape sequence reaches the terminal."""
        text = escape.plain(text)
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


# -------------------------------------------------------------------- summary
def summary(graded, wall_s=None, top=5):
    """Text: counts, score distribution, the checks most often failed."""
    if not graded:
        return "no submissions found"
    totals = [g.report.score for g in graded]
    top_score = max((g.report.max_score for g in graded), default=0) or 1
    lines = [f"{len(graded)} submissions ({sum(g.cached for g in graded)} unchanged since the "
             f"last run, {sum(g.crashed for g in graded)} could not be graded)"]
    if wall_s is not None:
        lines[0] += f" in {wall_s:.1f} s"
    lines.append(f"score: mean {statistics.mean(totals):.2f}, median "
                 f"{statistics.median(totals):g}, min {min(totals):g}, max {max(totals):g} "
                 f"(of {top_score:g})")
    regraded = [g for g in graded if g.regraded]
    if regraded:
        names = sorted({f"{ex}.{name}" for g in regraded for ex, name in g.regraded})
        moved = sum(g.previous_score != g.report.score for g in regraded)
        lines.append(f"course.yml changed {', '.join(names)}: regraded only those checks in "
                     f"{len(regraded)} submissions; {moved} scores moved")
    bins = Counter(min(int(10 * s / top_score), 9) for s in totals)
    width = max(bins.values())
    lines.append("distribution:")
    for b in range(9, -1, -1):
        lo, hi = b * 10, b * 10 + 10
        n = bins.get(b, 0)
        lines.append(f"  {lo:>3}-{hi:<3}% {'#' * round(30 * n / width):<30} {n}")
    failed = Counter(f"{c.exercise}.{c.name}" for g in graded for c in g.report.checks
                     if c.status != R.PASSED)
    if failed:
        lines.append("checks most often not passed:")
        for name, n in failed.most_common(top):
            lines.append(f"  {name:<40} {n:>4} of {len(graded)}")
    return "\n".join(lines)
