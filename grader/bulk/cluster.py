"""Grade a class on a Dask cluster: `grade-all --cluster ADDRESS`.

    with runner_for(address, course, progress) as (runner, counted):   # connects, then closes
        graded = gradeall.grade_all(items, course, a, runner=runner, progress=counted, ...)

`grade_all` stays in charge: it reads the cache, hands what is missing to the
runner, caches what comes back (never a crashed row) and calls `progress`;
the gradebook and feedback pages are written from its result as for a local
run. The runner cuts the work into shards (shards.py), keeps a bounded
number of them in flight and yields each submission's row exactly once:

- a worker lost mid-shard: Dask's scheduler runs the shard again on another
  worker (it gives up after `distributed.scheduler.allowed-failures` losses,
  default 3); rows already taken are not taken twice;
- a shard that fails for any other reason, or is lost too often: each of its
  submissions gets an infrastructure row (not cached, graded by the next run);
- a worker that refuses (another grader version, or no sandbox under
  --require-sandbox): the shard goes to the other workers; when every worker
  refuses, grading stops with their reasons (`ClusterError`), as a local run
  without a sandbox refuses under --require-sandbox.

ADDRESS is `tcp://host:port` (or tls://...) of a running scheduler,
`local[:N]` (a LocalCluster of N worker processes on this machine), or the
name of a batch-system cluster in a clusters file (see `load_clusters`).
"""
import math
import os
import re
import sys
import threading
import uuid
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from grader.bulk import gradeall, shards

SHARDS_PER_THREAD = 2    # enough shards that a slow one does not leave the others idle at the end
MIN_SHARD = 4            # a shard pays one fork server's start (imports, 1-5 s): share it
MAX_SHARD = 50           # bounds what a lost worker costs and the bytes of one task
IN_FLIGHT_EXTRA = 0.25   # shards sent beyond one per worker thread, so none waits for its next
#                          one; bounded, since the scheduler holds each in-flight shard's bytes
MAX_ATTEMPTS = 5         # a shard refused this many times gets infrastructure rows
POLL_S = 5.0             # how often to look for shards held for workers that have left
LOCAL_WAIT_S = 60        # a scheduler or LocalCluster should have workers within this
CONNECT_S = 20           # a scheduler that does not answer within this is not there
CLUSTERS_ENV = "GRADER_CLUSTERS"
KINDS = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster",
         "lsf": "LSFCluster", "htcondor": "HTCondorCluster", "oar": "OARCluster",
         "moab": "MoabCluster"}


class ClusterError(RuntimeError):
    """The cluster cannot be reached or used; the message says why and what to do."""


def shard_size(n, threads):
    """Submissions per shard for `n` submissions on `threads` Dask worker threads.

    Every thread gets the same number of equal shards (else one thread grades
    a shard more at the end while the others wait): SHARDS_PER_THREAD each,
    fewer when that would make shards smaller than MIN_SHARD, more when
    larger than MAX_SHARD."""
    per_thread = math.ceil(n / max(threads, 1))
    rounds = max(1, min(SHARDS_PER_THREAD, per_thread // MIN_SHARD),
                 math.ceil(per_thread / MAX_SHARD))
    return max(1, math.ceil(per_thread / rounds))


# ------------------------------------------------------------------- progress
class CountOnce:
    """A progress callback that counts each student once, whoever tells first:
    the worker's event as the submission finishes (live), or the merged row."""

    def __init__(self, progress):
        self.progress, self.seen, self.lock = progress, set(), threading.Lock()

    def __call__(self, g):
        with self.lock:  # events arrive on Dask's thread, rows on ours
            if g.item.student not in self.seen:
                self.seen.add(g.item.student)
                self.progress(g)

    def close(self):
        getattr(self.progress, "close", lambda: None)()


# --------------------------------------------------------------------- runner
class DaskRunner:
    """A `grade_all` runner grading on a Dask cluster, shard by shard.

    Args: client: a distributed.Client; shard: submissions per shard (None:
    `shard_size`); planned_threads: worker threads expected (batch jobs still
    queued), for the shard size; progress: CountOnce (live counts from
    workers); log: callable(str) for what the instructor should know.
    """

    def __init__(self, client, shard=None, require_sandbox=False, progress=None,
                 planned_threads=0, wait_s=LOCAL_WAIT_S, log=None, allow_unsandboxed=False):
        self.client, self.shard, self.require_sandbox = client, shard, require_sandbox
        self.allow_unsandboxed = allow_unsandboxed
        self.progress, self.planned, self.wait_s = progress, planned_threads, wait_s
        self.log = log or (lambda text: print(text, file=sys.stderr))
        self.refused = {}      # worker address -> why
        self.lost = []         # messages of shards given infrastructure rows
        self.shards = 0

    def threads(self):
        """Worker threads now (after waiting for the first worker), or as planned."""
        try:
            self.client.wait_for_workers(1, timeout=self.wait_s)
        except (TimeoutError, OSError) as err:
            raise ClusterError(f"no Dask worker joined the scheduler at "
                               f"{self.client.scheduler.address} within {self.wait_s:g} s "
                               f"({err or 'timed out'})") from None
        return max(sum(self.client.nthreads().values()), self.planned)

    def __call__(self, todo, course, assignment):
        items = {i: item for i, item, _digest in todo}
        threads = self.threads()
        size = self.shard or shard_size(len(todo), threads)
        queue = deque(todo[k:k + size] for k in range(0, len(todo), size))
        limit = threads + max(2, math.ceil(IN_FLIGHT_EXTRA * threads))
        self.shards = len(queue)
        run = uuid.uuid4().hex[:12]
        version = gradeall.grader_version(course)
        from distributed import wait
        inflight, sent = {}, iter(range(1 << 62))   # future -> (shard, attempt, workers)

        def send(shard, attempt=1):
            payload, unpackable = shards.pack_shard(run, version, course, assignment,
                                                    self.require_sandbox, shard,
                                                    self.allow_unsandboxed)
            # Strict: a loose restriction would let an idle refusing worker steal it.
            workers = self._good_workers()
            fut = self.client.submit(shards.grade_shard, payload, pure=False, retries=1,
                                     key=f"grade-shard-{run}-{next(sent)}",
                                     workers=workers, allow_other_workers=False)
            inflight[fut] = (shard, attempt, workers)
            return unpackable

        topic = shards.PROGRESS_TOPIC + run
        if self.progress is not None:
            self.client.subscribe_topic(topic, lambda event: self._event(event, items))
        try:
            while queue or inflight:
                while queue and len(inflight) < limit:
                    for i, why in send(queue.popleft()).items():   # could not be packed
                        yield i, shards.infrastructure_graded(course, assignment, why,
                                                              items.pop(i))
                try:
                    finished = wait(list(inflight), timeout=POLL_S,
                                    return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    self._unstick(inflight, send)
                    continue
                for fut in finished:
                    shard, attempt, _workers = inflight.pop(fut)
                    rows = self._answer(fut, shard, attempt, course, assignment, send)
                    fut.release()
                    for i, g in rows:
                        if items.pop(i, None) is not None:  # once per submission, whatever retried
                            yield i, g
        finally:
            if self.progress is not None:
                self.client.unsubscribe_topic(topic)
            self.client.cancel(list(inflight))
        for i, item in sorted(items.items()):  # only if a worker's answer left one out
            yield i, shards.infrastructure_graded(course, assignment, "no answer for it", item)

    def _good_workers(self):
        """None (any worker) until one refuses; then the others, as they are now."""
        if not self.refused:
            return None
        good = sorted(set(self.client.nthreads()) - set(self.refused))
        if not good:
            raise ClusterError("every Dask worker refused to grade:\n  " +
                               "\n  ".join(sorted(set(self.refused.values()))))
        return good

    def _unstick(self, inflight, send):
        """Send again a shard held for workers that have all left (else it waits forever)."""
        alive = set(self.client.nthreads())
        for fut, (shard, attempt, workers) in list(inflight.items()):
            if workers and not alive & set(workers):
                del inflight[fut]
                fut.cancel()
                send(shard, attempt)

    def _answer(self, fut, shard, attempt, course, assignment, send):
        """[(index, Graded)] from one finished shard; [] when it was sent elsewhere."""
        if fut.status != "finished":
            return self._lost(shard, course, assignment, _describe(fut))
        answer = fut.result()
        if "refused" in answer:
            if answer["worker"] not in self.refused:
                self.refused[answer["worker"]] = answer["refused"]
                self.log(f"grader: {answer['refused']}; its shards go to the other workers")
            if attempt >= MAX_ATTEMPTS:
                return self._lost(shard, course, assignment, answer["refused"])
            send(shard, attempt + 1)
            return []
        by_index = {i: item for i, item, _d in shard}
        return shards.read_rows(answer, by_index)

    def _lost(self, shard, course, assignment, why):
        self.lost.append(why)
        self.log(f"grader: a shard of {len(shard)} submissions could not be graded ({why}); "
                 "they are recorded as not graded and graded again by the next run")
        return [(i, shards.infrastructure_graded(course, assignment, why, item))
                for i, item, _d in shard]

    def _event(self, event, items):
        msg = event[1] if isinstance(event, tuple) else event
        item = items.get(msg.get("index")) if isinstance(msg, dict) else None
        if item is not None:
            self.progress(SimpleNamespace(item=item, report=SimpleNamespace(
                score=msg.get("score", 0.0))))


def _describe(fut):
    """Why a shard's task did not finish, for the instructor."""
    try:
        err = fut.exception()
    except Exception as exc:  # noqa: BLE001 - a cancelled future raises here
        err = exc
    name = type(err).__name__
    if name == "KilledWorker":
        return ("the workers grading it died or were lost too often (killed, out of memory, "
                "node failure)")
    if isinstance(err, ImportError):
        return f"a worker cannot import the grader ({err}): install it on every worker"
    return f"{name}: {err}"


# -------------------------------------------------------------------- connect
@contextmanager
def runner_for(address, course, progress=None, shard=None, require_sandbox=False,
               clusters_file=None, log=None, allow_unsandboxed=False):
    """Yields (runner, progress) for grade_all: (None, progress) without an
    address (grade here), else a DaskRunner on `connect(address)` and its
    CountOnce progress; closes the client and any cluster it started."""
    if not address:
        yield None, progress
        return
    counted = CountOnce(progress) if progress is not None else None
    with connect(address, course, clusters_file, log) as (client, planned, wait_s):
        yield DaskRunner(client, shard, require_sandbox, counted, planned, wait_s, log,
                         allow_unsandboxed), counted


@contextmanager
def connect(address, course=None, clusters_file=None, log=None):
    """Yields (client, planned worker threads, seconds to wait for the first
    worker) for ADDRESS, and closes what it started.

    `tcp://host:port` (any scheme://): a running scheduler; `local[:N]`: a
    LocalCluster of N single-threaded worker processes here (N: CPU count);
    anything else: a cluster named in the clusters file (`find_clusters_file`).
    """
    try:
        from distributed import Client
    except ImportError as err:
        raise ClusterError(f"--cluster needs Dask ({err}): pip install "
                           "'gd-autograder[cluster]' (or requirements.lock)") from None
    log = log or (lambda text: print(text, file=sys.stderr))
    cluster, planned, wait_s = None, 0, LOCAL_WAIT_S
    if re.match(r"^[a-z][a-z0-9+]*://", address):
        try:
            client = Client(address, timeout=CONNECT_S)
        except (OSError, TimeoutError) as err:
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    elif re.match(r"^local(:|$)", address):
        cluster = local_cluster(address)
        client = Client(cluster)
    else:
        import dask
        path = find_clusters_file(clusters_file, course)
        known = load_clusters(path)
        if address not in known:
            raise ClusterError(f"{path}: no cluster named {address!r} (known: "
                               f"{', '.join(sorted(known)) or 'none'})")
        spec = known[address]
        cluster = jobqueue_cluster(address, spec)
        try:
            cluster.scale(jobs=spec["jobs"])
        except Exception as err:  # noqa: BLE001 - e.g. sbatch missing or refusing the job
            cluster.close()
            raise ClusterError(f"cluster {address!r}: could not submit its jobs: {err}") \
                from None
        planned = spec["jobs"] * int(dask.config.get(f"jobqueue.{address}.cores") or 1)
        wait_s = spec["wait_s"]
        log(f"grader: submitted {spec['jobs']} {spec['kind']} job(s) for cluster {address!r}; "
            f"waiting up to {wait_s:g} s for the first worker")
        client = Client(cluster)
    try:
        yield client, planned, wait_s
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def local_cluster(address):
    """A LocalCluster for `local[:N]`: N worker processes, one thread each, on loopback."""
    import logging

    from distributed import LocalCluster
    m = re.fullmatch(r"local(?::(\d+))?", address)
    if not m or (m.group(1) and int(m.group(1)) < 1):
        raise ClusterError(f"--cluster {address!r}: expected local or local:N with N >= 1")
    n = int(m.group(1) or os.cpu_count() or 1)
    return LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)


# ------------------------------------------------------------- clusters file
CLUSTERS_DOC = """\
A clusters file (YAML) names batch-system clusters for `grade-all --cluster NAME`:

clusters:
  campus:                      # --cluster campus
    kind: slurm                # slurm (tested); pbs, sge, lsf, htcondor, oar, moab
    jobs: 4                    # batch jobs to submit; each runs `processes` Dask workers
    wait_s: 900                # wait this long for the first worker (queued jobs) [600]
    jobqueue:                  # dask-jobqueue's settings for `kind` (jobqueue.<kind>.* in
      cores: 16                #   its docs), over your Dask config's and its defaults
      processes: 16            # = cores: one thread per worker process
      memory: 32GB
      queue: short
      walltime: "02:00:00"
      job-extra-directives: ["--account=cs101"]
      python: /opt/course/.venv/bin/python   # a Python with this grader installed
"""


def find_clusters_file(given=None, course=None):
    """The clusters file: `given`, else $GRADER_CLUSTERS, else clusters.yml next to course.yml."""
    candidates = [given] if given else (
        [os.environ[CLUSTERS_ENV]] if os.environ.get(CLUSTERS_ENV) else
        ([Path(course.path).with_name("clusters.yml")] if course is not None else []))
    for c in candidates:
        if Path(c).is_file():
            return Path(c)
    where = ", ".join(map(str, candidates)) or "nowhere"
    raise ClusterError("--cluster takes tcp://host:port, local[:N] or the name of a cluster in "
                       f"a clusters file (looked in {where}; pass --cluster-config FILE or set "
                       f"{CLUSTERS_ENV}).\n{CLUSTERS_DOC}")


def load_clusters(path):
    """{name: {"kind", "jobs", "wait_s", "jobqueue": {...}}} from a clusters file,
    checked: unknown keys (ours or dask-jobqueue's for that kind) are errors."""
    import yaml
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ClusterError(f"{path}: cannot read it ({err})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("clusters"), dict) or set(raw) - {
            "clusters"}:
        raise ClusterError(f"{path}: expected one top-level key `clusters:`\n{CLUSTERS_DOC}")
    return {str(name): _cluster_spec(path, str(name), spec)
            for name, spec in raw["clusters"].items()}


def _cluster_spec(path, name, spec):
    where = f"{Path(path).name}: clusters.{name}"
    if not isinstance(spec, dict):
        raise ClusterError(f"{where}: expected a mapping\n{CLUSTERS_DOC}")
    unknown = set(spec) - {"kind", "jobs", "wait_s", "jobqueue"}
    if unknown:
        raise ClusterError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: "
                           "kind, jobs, wait_s, jobqueue")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ClusterError(f"{where}.kind: expected one of {', '.join(KINDS)}, not {kind!r}")
    jobs, wait_s = spec.get("jobs", 1), spec.get("wait_s", 600)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ClusterError(f"{where}.jobs: expected a whole number >= 1, not {jobs!r}")
    if not isinstance(wait_s, (int, float)) or isinstance(wait_s, bool) or wait_s <= 0:
        raise ClusterError(f"{where}.wait_s: expected seconds > 0, not {wait_s!r}")
    settings = spec.get("jobqueue") or {}
    if not isinstance(settings, dict):
        raise ClusterError(f"{where}.jobqueue: expected a mapping of dask-jobqueue settings")
    known = set(_jobqueue_defaults(kind))
    unknown = set(settings) - known
    if unknown:
        raise ClusterError(f"{where}.jobqueue: unknown {kind} setting(s) "
                           f"{', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    return {"kind": kind, "jobs": jobs, "wait_s": float(wait_s), "jobqueue": dict(settings)}


def _jobqueue_defaults(kind):
    import dask
    import dask_jobqueue  # noqa: F401 - registers its defaults (jobqueue.<kind>.*) with dask
    return dict(dask.config.get(f"jobqueue.{kind}"))


def jobqueue_cluster(name, spec):
    """The dask-jobqueue cluster for a clusters-file entry (jobs not submitted yet:
    see `scale`). Its settings go to Dask's config as jobqueue.<name>: the
    kind's defaults and your Dask config, then the file's `jobqueue` settings."""
    import dask
    import dask_jobqueue
    settings = _jobqueue_defaults(spec["kind"])
    settings.update(dask.config.get(f"jobqueue.{name}", default=None) or {})
    settings.update(spec["jobqueue"])
    dask.config.set({f"jobqueue.{name}": settings})  # read again by each job it starts
    try:
        return getattr(dask_jobqueue, KINDS[spec["kind"]])(config_name=name)
    except (ValueError, TypeError, OSError) as err:
        raise ClusterError(f"cluster {name!r}: dask-jobqueue refused its settings: {err}") \
            from None
