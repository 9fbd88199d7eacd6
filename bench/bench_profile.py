"""Per-phase profile of ONE submission as grade-all grades it. Prints figures; asserts nothing.

Reading (2-core machine, bwrap, load ~6; README's measured-figures table). Before issue 20
an untouched hw1 notebook cost ~330 ms: 24 probe round trips that only learnt each stub
still raises NotImplementedError, and two children (public, hidden). Now the release's code,
cell for cell, is decided in the parent (grader/judge/untouched.py): no child, no probe,
~35 ms (load/parse ~9 ms once the class's first notebook has warmed the IPython transform's
memo, the database write ~4 ms, reports and gradebook), plus the results database's
open/close once per run (~50 ms). A correct submission (the reference, 13 s wall under load
6, 3.9 CPU-s of the student's code): probes 79%, the feedback page's plots 12% (1.6 s of
matplotlib, drawn serially after the class is graded, only with --feedback), the rest ~3%
(two children's fork, cgroup move, start and teardown ~130 ms; verify ~120 ms). What would
still pay: the plots drawn by the workers (or cheaper), then the per-child cgroup move.

    .venv/bin/python bench/bench_profile.py [--runs 5] [--floor 20]

Two submissions of hw1_autograd: (a) the untouched release notebook, (b) the reference
solution. Each is graded `--runs` times by `gradeall.grade_all` (results database on, no
reuse) with a runner that is `grade_here` minus the pool start: one `ZygotePool` whose fork
server is started once, outside the timed region (its start is printed apart). After each
grading the bench renders what grade-all and `grader grade` write for it: the text and
JSON reports, the feedback page (html + md, plots drawn) and the gradebook CSV.

Phases are measured by wrapping grader functions here (monkeypatching, never editing
grader/) with timers that call the original; each phase's time is exclusive of the other
phases nested in it, so the phases and the "unattributed" rest add up to the total:

  cache key            gradeall.content_digest (the submission's files hashed)
  locate + load/parse  locate.load_submission (as gradeall calls it)
  jail work dir        Zygote.workdir (the submission copied into the jail's work dir)
  fork                 Zygote.fork: the parent's round trip to the fork server
  cgroup / meter       ZygoteSession._account (a cgroup of its own, the CPU meter), of which
                       (indented rows, exclusive) JailCgroup.create, Zygote.processes and
                       JailCgroup.add (the forked process moved into the cgroup)
  child start          PipeSession.start minus the above: sockets, the load request, the
                       child's own jail (isolate.py), imports, the student's top-level code
  probe                PipeSession.probe: the parent waiting for each check's reply, apart
                       from the CPU meter's reads while it waits (CgroupMeter / ProcTreeMeter
                       .cpu_seconds, everywhere they are called)
  reply decoding       channel.clean_loaded / clean_result, wire.decode
  plan cases           judge.grade.plan_cases (parent)
  verify               judge.grade.judge minus wire.decode (parent)
  teardown             PipeSession.stop: kill, wipe, channel and output tap closed
  db open/close (run)  StoreCache set-up and close (per grade_all call: per run, not per
                       submission, in a real class)
  database write       store.ResultsDB.record
  reports text+json    formats.render(report, "text" / "json")
  feedback page        pages.write_feedback (html + md, plots drawn as PNG)
  gradebook csv        gradebook.write_csv

The fork server's floor: a bare fork (Zygote.fork, then kill) and an empty submission
(ZygoteSession start + stop of one `x = 1` chunk), `--floor` times each.
"""
import argparse
import functools
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
A = "hw1_autograd"

from grader import wire  # noqa: E402
from grader.bulk import gradeall, store  # noqa: E402
from grader.config import load_course  # noqa: E402
from grader.execution import cgroups, cputime, forkserver, session as sessions  # noqa: E402
from grader.judge import grade as judging  # noqa: E402
from grader.reports import gradebook, pages  # noqa: E402
from grader.reports.formats import render  # noqa: E402
from grader.reports.plots import hidden_digests  # noqa: E402


class Timers:
    """Exclusive time per phase, main thread only (grading runs there: one worker)."""

    def __init__(self):
        self.main = threading.get_ident()
        self.stack = []
        self.reset()

    def reset(self):
        self.ms, self.calls = defaultdict(float), defaultdict(int)
        self.import_s = 0.0

    def wrap(self, phase, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            if threading.get_ident() != self.main:
                return fn(*args, **kwargs)
            started = time.perf_counter()
            self.stack.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                nested = self.stack.pop()
                self.ms[phase] += 1000 * (spent - nested)
                self.calls[phase] += 1
                if self.stack:
                    self.stack[-1] += spent
        return timed

    def block(self, phase, fn, *args, **kwargs):
        return self.wrap(phase, fn)(*args, **kwargs)


T = Timers()
PHASES = ["cache key", "locate + load/parse", "jail work dir", "fork", "cgroup / meter",
          "  cgroup create", "  process scan", "  cgroup move (add)", "child start", "probe",
          "  CPU meter reads", "reply decoding", "plan cases", "verify", "teardown",
          "db open/close (run)", "database write", "reports text+json", "feedback page",
          "gradebook csv"]


def patch(owner, name, phase):
    setattr(owner, name, T.wrap(phase, getattr(owner, name)))


def instrument():
    patch(gradeall, "content_digest", "cache key")
    patch(gradeall, "load_submission", "locate + load/parse")
    patch(forkserver.Zygote, "workdir", "jail work dir")
    patch(forkserver.Zygote, "fork", "fork")
    patch(forkserver.ZygoteSession, "_account", "cgroup / meter")
    create = cgroups.JailCgroup.create  # a classmethod: keep it one
    cgroups.JailCgroup.create = staticmethod(T.wrap("  cgroup create", create))
    patch(forkserver.Zygote, "processes", "  process scan")
    patch(cgroups.JailCgroup, "add", "  cgroup move (add)")
    patch(cputime.CgroupMeter, "cpu_seconds", "  CPU meter reads")
    patch(cputime.ProcTreeMeter, "cpu_seconds", "  CPU meter reads")
    patch(sessions.PipeSession, "start", "child start")
    patch(sessions.PipeSession, "probe", "probe")
    patch(sessions.PipeSession, "stop", "teardown")
    clean_loaded = sessions.clean_loaded

    def loaded_noting_imports(reply, names=None):
        out = clean_loaded(reply, names)
        T.import_s += out["import_s"]
        return out
    sessions.clean_loaded = T.wrap("reply decoding", loaded_noting_imports)
    patch(sessions, "clean_result", "reply decoding")
    patch(wire, "decode", "reply decoding")
    patch(judging, "plan_cases", "plan cases")
    patch(judging, "judge", "verify")
    patch(gradeall.StoreCache, "__init__", "db open/close (run)")
    patch(gradeall.StoreCache, "close", "db open/close (run)")
    patch(store.ResultsDB, "record", "database write")


def runner_for(pool):
    """grade_here with `pool` already started: one worker, in this thread."""
    def run(todo, course, assignment):
        skip = hidden_digests(course, assignment)
        for i, item, _digest in todo:
            factory = pool.session_factory(assignment)
            yield i, gradeall.grade_one(item, course, assignment, factory, skip, pool.isolation)
    return run


def profile(course, pool, item, scratch, runs):
    """[(total_ms, {phase: ms}, {phase: calls}, child import s, Graded)] over `runs`."""
    out = []
    scratch.mkdir(parents=True, exist_ok=True)
    for r in range(runs):
        T.reset()
        started = time.perf_counter()
        graded = gradeall.grade_all([item], course, A, workers=1,
                                    cache_path=scratch / f"grades-{r}.sqlite", reuse=False,
                                    runner=runner_for(pool))
        g = graded[0]
        T.block("reports text+json", lambda: (render(g.report, "text"),
                                              render(g.report, "json")))
        T.block("feedback page", pages.write_feedback, scratch / f"feedback-{r}", graded)
        T.block("gradebook csv", gradebook.write_csv, scratch / f"grades-{r}.csv", graded,
                course, A)
        total = 1000 * (time.perf_counter() - started)
        out.append((total, dict(T.ms), dict(T.calls), T.import_s, g))
    return out


def table(title, results):
    totals = [r[0] for r in results]
    total = statistics.median(totals)
    g = results[0][4]
    print(f"\n{title}: score {g.report.score:g}/{g.report.max_score:g}, "
          f"{len(g.report.checks)} checks, {len(results)} runs")
    print(f"  {'phase':<22}{'median ms':>10}{'share':>8}{'calls':>7}")
    attributed = []
    for phase in PHASES:
        ms = statistics.median(r[1].get(phase, 0.0) for r in results)
        calls = statistics.median(r[2].get(phase, 0) for r in results)
        attributed.append(ms)
        print(f"  {phase:<22}{ms:>10.1f}{100 * ms / total:>7.1f}%{calls:>7g}")
    rest = statistics.median(r[0] - sum(r[1].values()) for r in results)
    print(f"  {'unattributed':<22}{rest:>10.1f}{100 * rest / total:>7.1f}%")
    print(f"  {'total':<22}{total:>10.1f}   (min {min(totals):.0f}, max {max(totals):.0f})")
    imports = statistics.median(1000 * r[3] for r in results)
    cpu = statistics.median(1000 * sum(c.cpu_s or 0.0 for c in r[4].report.checks)
                            for r in results)
    print(f"  of child start: the children's own import time (child-reported) {imports:.1f} ms;"
          f" of probe: the children's CPU (the meter, all checks) {cpu:.1f} ms")


def floor(course, pool, reps):
    """ms: a bare fork through the pool's fork server, and an empty submission."""
    import socket
    z = pool.zygote(A)
    limits = course.spec.limits
    forks, empties = [], []
    request = {"op": "load", "assignment": A, "preload": list(course.assignment(A).preload),
               "chunks": [{"name": "empty.py", "code": "x = 1\n", "first_line": 1}],
               "path": None}
    for _ in range(reps):
        if z.own_uids:
            break  # uid mode: a fork needs a leased uid; the empty submission says enough
        ours, theirs = socket.socketpair()
        out_r, out_w = os.pipe()
        try:
            started = time.perf_counter()
            pid = z.fork(theirs.fileno(), out_w)
            forks.append(1000 * (time.perf_counter() - started))
            z.kill(pid)
            z.exit_status(pid)
        finally:
            for s in (ours, theirs):
                s.close()
            os.close(out_r)
            os.close(out_w)
    for _ in range(reps):
        started = time.perf_counter()
        s = forkserver.ZygoteSession(z, request, limits)
        s.start()
        s.stop()
        empties.append(1000 * (time.perf_counter() - started))
    if forks:
        print(f"  bare fork (fork server round trip, child killed): median "
              f"{statistics.median(forks):.1f} ms over {reps}")
    print(f"  empty submission (fork + jail + load `x = 1` + teardown): median "
          f"{statistics.median(empties):.1f} ms over {reps}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--floor", type=int, default=20)
    args = parser.parse_args()
    course = load_course(ROOT / "course.yml")
    scratch = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        untouched = scratch / "class" / "ann.ipynb"
        untouched.parent.mkdir(parents=True)
        shutil.copy(ROOT / "assignments" / A / f"{A}.ipynb", untouched)
        reference = scratch / "class" / "bob"
        shutil.copytree(ROOT / "solutions" / A, reference)
        items = {it.student: it for it in gradeall.find_submissions(scratch / "class", A)}
        pool = forkserver.ZygotePool(course)
        try:
            started = time.perf_counter()
            if pool.zygote(A) is None:
                raise SystemExit("the fork server could not start")
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"hw1_autograd, one worker, sandbox {pool.mode}, load {load}; fork server start "
                  f"(once per worker, not in the totals): "
                  f"{1000 * (time.perf_counter() - started):.0f} ms")
            print("fork server floor:")
            floor(course, pool, args.floor)
            instrument()
            profile(course, pool, items["ann"], scratch / "warm", 1)  # warm-up, not shown
            for title, student in (("(a) untouched release notebook", "ann"),
                                   ("(b) reference solution", "bob")):
                table(title, profile(course, pool, items[student], scratch / student,
                                     args.runs))
        finally:
            pool.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
