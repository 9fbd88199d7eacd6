"""Every grading kept: the results database (SQLite, WAL) behind grade-all.

    gradings  one row per grading of one submission: who, what (digest of the files the
              child can read), with what (code version, course.yml digest), when, status
    checks    one row per check of a grading: score, status, message, output, CPU and wall
              time, and the digest of the check's resolved settings (so a course.yml edit
              regrades only the checks it changed)

Nothing is ever overwritten: a re-run that grades a student again adds a grading, and
"the cache" is a query (the newest grading with the same digests). Each grading is written
in its own transaction by the one process that owns the database (grade-all's main thread:
workers, local or on a Dask cluster, hand it their results), so a `kill -9` loses at most
the submissions in flight and leaves a database that passes `PRAGMA integrity_check`.

The schema version is SQLite's `user_version`; MIGRATIONS[v] brings a database from v to
v + 1. `import_json_cache` reads the one-file JSON cache of earlier releases once.
"""
import json
import sqlite3
import threading
import zlib
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from grader.judge.results import CheckResult, Report
from grader.reports import escape

SCHEMA = 1
MIGRATIONS = {
    0: """
    CREATE TABLE gradings (
        id INTEGER PRIMARY KEY,
        assignment TEXT NOT NULL,
        student TEXT NOT NULL,
        digest TEXT NOT NULL,            -- sha256 of everything the child can read
        code_version TEXT NOT NULL,      -- the grader's code
        course_digest TEXT NOT NULL,     -- course.yml as a whole
        graded_at TEXT NOT NULL,         -- UTC, ISO 8601
        submitted_at TEXT NOT NULL DEFAULT '',  -- nbgrader's timestamp format, or ''
        status TEXT NOT NULL,            -- 'graded' | 'not graded' (infrastructure, unreadable)
        score REAL NOT NULL,
        max_score REAL NOT NULL,
        seconds REAL NOT NULL DEFAULT 0,
        report BLOB NOT NULL,            -- the report without its checks (zlib'd JSON)
        plots BLOB NOT NULL              -- plain-data plot specs (zlib'd JSON)
    );
    CREATE INDEX gradings_by_student ON gradings (assignment, student, id);
    CREATE TABLE checks (
        grading_id INTEGER NOT NULL REFERENCES gradings (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        exercise TEXT NOT NULL,
        name TEXT NOT NULL,
        score REAL NOT NULL,
        max_score REAL NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        hidden INTEGER NOT NULL DEFAULT 0,
        output TEXT NOT NULL DEFAULT '',
        cpu_s REAL,
        wall_s REAL NOT NULL DEFAULT 0,
        settings TEXT NOT NULL DEFAULT '', -- digest of the check's resolved course.yml settings
        flags TEXT NOT NULL DEFAULT '[]',  -- review flags for the instructor (JSON list)
        after_hidden INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (grading_id, position)
    );
    CREATE INDEX checks_by_name ON checks (exercise, name);
    """,
}
GRADED, NOT_GRADED = "graded", "not graded"
SUMMARY = ", ".join(f"g.{c}" for c in (
    "id", "assignment", "student", "digest", "code_version", "course_digest", "graded_at",
    "submitted_at", "status", "score", "max_score", "seconds"))


# The checks of each student's newest grading (temp.newest: ResultsDB.check_stats).
_NEWEST_CHECKS = "FROM checks c JOIN temp.newest m ON c.grading_id = m.id WHERE 1"


def first_line(message):
    """A failure message as the class report groups it: its first line, 160 characters."""
    return message.splitlines()[0][:160] if message else message


def pack(value):
    """JSON, zlib-compressed: plots are long lists of floats (a tenth of the size)."""
    return zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 6)


def _plot_precision(value):
    """Plot specs with every float cut to 5 significant digits (a plot shows 3): what
    makes plots, 90% of a grading's bytes, compress."""
    if isinstance(value, float):
        return float(f"{value:.5g}")
    if isinstance(value, list):
        return [_plot_precision(v) for v in value]
    if isinstance(value, dict):
        return {k: _plot_precision(v) for k, v in value.items()}
    return value


def unpack(blob):
    return json.loads(zlib.decompress(blob)) if isinstance(blob, bytes) else json.loads(blob)


def text(value):
    """`value` as text SQLite stores (escape.lossless): a student folder whose name is
    not UTF-8, or a child's undecodable bytes, is stored with its bytes as \\xNN instead
    of failing the insert, and two such students stay two rows."""
    return escape.lossless(value)


def utc_now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ResultsDB:
    """The results database at `path` (created and migrated on open).

    One connection, used from any thread under a lock: grade-all's writes are a handful per
    second at most, each a short transaction."""

    def __init__(self, path):
        self.path = Path(path)
        self.lock = threading.Lock()
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")   # WAL: durable at checkpoints,
        self.conn.execute("PRAGMA foreign_keys = ON")      # never corrupt
        self.conn.execute("PRAGMA busy_timeout = 10000")
        self.conn.create_function("first_line", 1, first_line, deterministic=True)
        self._migrate()

    def _migrate(self):
        with self.lock:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA:
                raise RuntimeError(f"{self.path.name}: written by a newer grader (schema "
                                   f"{version}, this one knows {SCHEMA}); upgrade the grader")
            while version < SCHEMA:
                self.conn.executescript("BEGIN;" + MIGRATIONS[version]
                                        + f"PRAGMA user_version = {version + 1}; COMMIT;")
                version += 1

    def close(self):
        with self.lock:
            self.conn.close()

    # -------------------------------------------------------------- writing
    def record(self, assignment, student, report, *, digest, code_version, course_digest,
               status=GRADED, submitted_at="", seconds=0.0, plots=(), settings=None,
               graded_at=None):
        """Add one grading (and its checks) in one transaction; returns its id.
        settings: {(exercise, name): digest of the check's resolved settings}."""
        head = report.to_dict(checks=False)
        settings = settings or {}
        with self.lock:
            cur = self.conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.execute(
                    "INSERT INTO gradings (assignment, student, digest, code_version, "
                    "course_digest, graded_at, submitted_at, status, score, max_score, seconds, "
                    "report, plots) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (assignment, text(student), digest, code_version, course_digest,
                     graded_at or utc_now(), submitted_at or "", status, report.score,
                     report.max_score, round(float(seconds), 3), pack(head),
                     pack(_plot_precision(list(plots)))))
                gid = cur.lastrowid
                cur.executemany(
                    "INSERT INTO checks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(gid, i, c.exercise, c.name, c.score, c.max_score, c.status,
                      text(c.message), int(c.hidden), text(c.output), c.cpu_s,
                      round(c.duration, 4), settings.get((c.exercise, c.name), ""),
                      json.dumps([text(f) for f in c.flags]), int(c.after_hidden))
                     for i, c in enumerate(report.checks)])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return gid

    # -------------------------------------------------------------- reading
    def _one(self, sql, args):
        with self.lock:
            return self.conn.execute(sql, args).fetchone()

    def _all(self, sql, args=()):
        with self.lock:
            return self.conn.execute(sql, args).fetchall()

    def report(self, grading_id):
        """(Report, plots, {(exercise, name): settings digest}) of one grading."""
        row = self._one("SELECT report, plots FROM gradings WHERE id = ?", (grading_id,))
        checks = self._all("SELECT * FROM checks WHERE grading_id = ? ORDER BY position",
                           (grading_id,))
        head = unpack(row["report"])
        rep = Report.from_dict(dict(head, checks=[]))
        rep.checks = [CheckResult(c["exercise"], c["name"], c["max_score"], c["score"],
                                  c["status"], c["message"], bool(c["hidden"]), c["wall_s"],
                                  c["output"], c["cpu_s"], flags=json.loads(c["flags"]),
                                  after_hidden=bool(c["after_hidden"])) for c in checks]
        return rep, unpack(row["plots"]), {(c["exercise"], c["name"]): c["settings"]
                                               for c in checks}

    def reusable(self, assignment, student, digest, code_version):
        """The newest GRADED grading of exactly these files by this code, or None: its
        checks can stand for the checks whose settings have not changed since."""
        return self._one(
            "SELECT * FROM gradings WHERE assignment = ? AND student = ? AND digest = ? AND "
            "code_version = ? AND status = ? ORDER BY id DESC LIMIT 1",
            (assignment, text(student), digest, code_version, GRADED))

    def latest(self, assignment):
        """The newest grading of each student of `assignment`, by student (without the
        report and plots: `report(id)` reads those)."""
        return self._all(
            f"SELECT {SUMMARY} FROM gradings g JOIN (SELECT student, MAX(id) AS id FROM gradings "
            "WHERE assignment = ? GROUP BY student) m ON g.id = m.id ORDER BY g.student",
            (assignment,))

    def history(self, assignment, student):
        """Every grading of one student, oldest first, with its checks."""
        out = []
        for g in self._all("SELECT * FROM gradings WHERE assignment = ? AND student = ? "
                           "ORDER BY id", (assignment, text(student))):
            checks = self._all("SELECT exercise, name, score, max_score, status FROM checks "
                               "WHERE grading_id = ? ORDER BY position", (g["id"],))
            out.append({"graded_at": g["graded_at"], "digest": g["digest"],
                        "score": g["score"], "max_score": g["max_score"],
                        "status": g["status"], "code_version": g["code_version"],
                        "course_digest": g["course_digest"],
                        "checks": [dict(c) for c in checks]})
        return out

    def students(self, assignment):
        return [r[0] for r in self._all("SELECT DISTINCT student FROM gradings WHERE "
                                        "assignment = ? ORDER BY student", (assignment,))]

    def check_stats(self, assignment):
        """Per check of each student's newest grading, aggregated in SQLite (a class of
        100,000 has 3.6 million check rows; none of them becomes a Python object): dicts
        with exercise, name, n, passed, failures (the 3 commonest first lines of a failing
        check's message, cut at 160 characters, or its status: [(text, count)]),
        cpu_median and cpu_p95 (CPU-s, linear interpolation; None without CPU figures).
        In the order of the checks in a grading."""
        with self.lock:
            self.conn.execute("DROP TABLE IF EXISTS temp.newest")
            # a key, so that joining it is a lookup per check row, not a scan of it
            self.conn.execute("CREATE TEMP TABLE newest (id INTEGER PRIMARY KEY)")
            self.conn.execute("INSERT INTO temp.newest SELECT MAX(id) FROM gradings "
                              "WHERE assignment = ? GROUP BY student", (assignment,))
            try:
                return [self._one_check_stats(row) for row in self.conn.execute(
                    f"SELECT c.exercise, c.name, COUNT(*) AS n, SUM(c.status = 'passed') AS "
                    f"passed, COUNT(c.cpu_s) AS timed, MIN(c.position) AS pos {_NEWEST_CHECKS} "
                    "GROUP BY c.exercise, c.name ORDER BY pos, c.exercise, c.name").fetchall()]
            finally:
                self.conn.execute("DROP TABLE IF EXISTS temp.newest")

    def _one_check_stats(self, row):
        """check_stats for one check (under the lock, with temp.newest filled)."""
        key = (row["exercise"], row["name"])
        failures = self.conn.execute(
            "SELECT first_line(COALESCE(NULLIF(c.message, ''), c.status)) AS m, COUNT(*) AS k "
            f"{_NEWEST_CHECKS} AND c.exercise = ? AND c.name = ? AND c.status != 'passed' "
            "GROUP BY m ORDER BY k DESC, m LIMIT 3", key).fetchall()
        return {"exercise": row["exercise"], "name": row["name"], "n": row["n"],
                "passed": row["passed"], "failures": [(m, k) for m, k in failures],
                "cpu_median": self._cpu_quantile(key, row["timed"], 0.5),
                "cpu_p95": self._cpu_quantile(key, row["timed"], 0.95)}

    def _cpu_quantile(self, key, n, q):
        """The q-quantile of one check's CPU-s over n timed rows, interpolated between the
        two order statistics around q (n - 1); SQLite sorts, two values come back."""
        if not n:
            return None
        pos = q * (n - 1)
        lo = int(pos)
        vals = [v for (v,) in self.conn.execute(
            f"SELECT c.cpu_s {_NEWEST_CHECKS} AND c.exercise = ? AND c.name = ? AND c.cpu_s "
            "IS NOT NULL ORDER BY c.cpu_s LIMIT 2 OFFSET ?", (*key, lo))]
        hi = vals[-1] if len(vals) > 1 else vals[0]
        return vals[0] + (hi - vals[0]) * (pos - lo)

    def integrity(self):
        return self._one("PRAGMA integrity_check", ())[0]


# ------------------------------------------------------------------ earlier releases
def import_json_cache(db, json_path, code_version="imported", course_digest="imported"):
    """Read the one-file JSON cache of earlier releases (<gradebook>.cache.json) into `db`
    once, as gradings of version 'imported' (never reused as a cache: the code that made
    them is unknown); returns how many; the file is renamed *.imported so it is read once."""
    path = Path(json_path)
    if not path.is_file():
        return 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    n = 0
    for student, e in (data.get("entries") or {}).items():
        try:
            rep = Report.from_dict(e["report"])
        except (KeyError, TypeError, ValueError):
            continue
        db.record(e.get("assignment", rep.assignment), student, rep, digest=e.get("digest", ""),
                  code_version=code_version, course_digest=course_digest,
                  status=NOT_GRADED if e.get("crashed") else GRADED,
                  seconds=e.get("seconds", 0.0), plots=e.get("plots", []))
        n += 1
    path.rename(path.with_name(path.name + ".imported"))
    return n


def open_db(path):
    """ResultsDB at `path`, its folder created; a clear error where it cannot be opened."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return ResultsDB(path)
    except sqlite3.DatabaseError as err:
        raise RuntimeError(f"{path.name}: not a results database ({err})") from None


def integrity_ok(path):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ------------------------------------------------------------------ what a grading depends on
def code_version():
    """sha256 of the grader package's code (not course.yml: that is per check, below)."""
    import hashlib
    from grader import PACKAGE_DIR, __version__
    h = hashlib.sha256(f"store:{SCHEMA}:{__version__}".encode())
    for f in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(str(f.relative_to(PACKAGE_DIR)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def course_digest(course):
    import hashlib
    return hashlib.sha256(Path(course.path).read_bytes()).hexdigest()


def check_settings(course, assignment):
    """{(exercise, name): digest of everything course.yml says about that check}: its kind,
    points, hidden flag and params, its exercise's time limit, and the course's limits and
    preloads (which every check depends on). Editing one check's tolerance changes one."""
    import hashlib
    spec = course.assignment(assignment)
    shared = json.dumps({"limits": course.spec.limits.model_dump(mode="json"),
                         "preload": list(spec.preload)}, sort_keys=True)
    out = {}
    for c in course.checks_for(assignment):
        kind = c.kind if isinstance(c.kind, type) else type(c.kind)
        one = {"kind": f"{kind.__module__}.{kind.__qualname__}", "points": c.points,
               "hidden": c.hidden, "params": c.params.model_dump(mode="json"),
               "time_limit_s": c.time_limit_s}   # the check's own, else its exercise's
        out[c.exercise, c.name] = hashlib.sha256(
            (shared + json.dumps(one, sort_keys=True)).encode()).hexdigest()[:16]
    return out
