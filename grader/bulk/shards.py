"""A shard of submissions as plain data, and grading it on a Dask worker.

The parent packs (`pack_shard`), a worker grades (`grade_shard`), the parent
reads the answer back (`read_rows`). Nothing but plain data travels: bytes,
strings, numbers, lists and dicts.

    payload = {"run": id, "version": grader_version, "assignment": a,
               "require_sandbox": bool, "allow_unsandboxed": bool, "course": {"yml": bytes, "sha256": hex},
               "items": [{"index": i, "student": s, "name": file or folder name,
                          "tar": bytes, "sha256": hex of the tar,
                          "notes": [what locating it said, e.g. which file counts]}, ...]}
    answer  = {"worker": address, "graded": [{"index": i, "report": Report.to_dict(),
               "plots": [...], "seconds": s, "crashed": bool}, ...]}
           or {"worker": address, "refused": why}   (wrong grader, no sandbox when required)

No shared file system is assumed: each submission travels as an uncompressed
tar of its file or folder (symbolic links kept as links, never followed, so
the worker's loader refuses the same links a local run does) with the tar's
sha256, checked on the worker before it is unpacked into a private temporary
folder. The course travels too (course.yml's bytes); the grader's code must be
installed on the worker, and the worker refuses the shard unless
`grader_version` (code and course.yml) there equals the parent's. On the
worker the shard is graded by `gradeall.grade_all` itself: the same fork
server pool, sandbox rule, limits and zero-rows-not-crashes as a local run.
"""
import atexit
import hashlib
import io
import os
import shutil
import socket
import tarfile
import tempfile
import threading
from pathlib import Path, PurePosixPath

from grader.bulk import gradeall
from grader.execution.sandbox import SandboxUnavailable
from grader.submission.inputs import SKIPPED_DIRS
from grader.judge import results as R
from grader.judge.grade import zero_report

PROGRESS_TOPIC = "grader-progress-"   # + the run's id: one Dask event per graded submission
MAX_PACK_BYTES = 200 * 1024 * 1024     # one submission, packed: far above the loaders' limits


class PackError(ValueError):
    """A submission that cannot be packed or unpacked; the message says why."""


# ------------------------------------------------------------------ packing
def sha256(data):
    return hashlib.sha256(data).hexdigest()


def pack(path):
    """The file or folder at `path` as (name, tar bytes): members `name` and
    `name/<relative path>`, in sorted order with fixed metadata (the same
    content gives the same bytes); the folders the loaders skip are left
    out; symbolic links are stored as links, other special files skipped."""
    path = Path(path)
    buf, total = io.BytesIO(), 0
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member, rel in _members(path):
            info = tarfile.TarInfo(str(PurePosixPath(path.name, *rel.parts)))
            info.mtime, info.mode = 0, 0o644
            if rel.parts and member.is_symlink():  # the submission itself is read through
                info.type, info.linkname = tarfile.SYMTYPE, os.readlink(member)
                tar.addfile(info)
            elif member.is_dir():
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif member.is_file():
                data = member.read_bytes()
                total += len(data)
                if total > MAX_PACK_BYTES:
                    raise PackError(f"{path.name}: more than {MAX_PACK_BYTES // 2**20} MB; "
                                    "too large to send to a cluster worker")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path.name, buf.getvalue()


def _members(path):
    """(path, relative path) of `path` and everything below it, links not followed."""
    yield path, Path()
    if not path.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in sorted(dirnames) + sorted(filenames):
            full = Path(dirpath, name)
            yield full, full.relative_to(path)


def unpack(blob, digest, dest):
    """Check `blob` against `digest`, then unpack it into the folder `dest`;
    returns the path of the submission (dest/<name>). Only plain files,
    folders and symbolic links are made; a name that is absolute or climbs
    out with '..' is refused; links are made last, so no file is ever
    written through one."""
    if sha256(blob) != digest:
        raise PackError("the submission arrived corrupted (its sha256 does not match)")
    dest, links, top = Path(dest), [], set()
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:") as tar:
            for m in tar.getmembers():
                parts = PurePosixPath(m.name).parts
                if not parts or m.name.startswith("/") or ".." in parts or "\\" in m.name:
                    raise PackError(f"refused a member named {m.name!r}")
                top.add(parts[0])
                target = dest.joinpath(*parts)
                if m.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif m.isfile():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with open(target, "xb") as fh:
                        shutil.copyfileobj(tar.extractfile(m), fh)
                elif m.issym():
                    links.append((target, m.linkname))
    except (tarfile.TarError, OSError) as err:
        raise PackError(f"the submission could not be unpacked ({err})") from None
    if len(top) != 1:
        raise PackError("a packed submission must hold exactly one file or folder")
    for target, linkname in links:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(linkname, target)
    return dest / top.pop()


def pack_shard(run_id, version, course, assignment, require_sandbox, todo,
               allow_unsandboxed=False):
    """The payload of one shard: `todo` is [(index, Item, digest)]. A submission
    that cannot be packed is returned apart as {index: message}."""
    course_yml = Path(course.path).read_bytes()
    items, unpackable = [], {}
    for i, item, _digest in todo:
        try:
            name, blob = pack(item.path)
        except (PackError, OSError) as err:
            unpackable[i] = str(err)
            continue
        except RecursionError:  # os.walk recurses (Python 3.11): folders nested ~1000 deep
            unpackable[i] = f"{Path(item.path).name}: folders nested too deeply to send"
            continue
        items.append({"index": i, "student": item.student, "name": name, "tar": blob,
                      "sha256": sha256(blob), "notes": [str(n) for n in item.notes]})
    return {"run": run_id, "version": version, "assignment": assignment,
            "require_sandbox": bool(require_sandbox),
            "allow_unsandboxed": bool(allow_unsandboxed),
            "course": {"yml": course_yml, "sha256": sha256(course_yml)},
            "items": items}, unpackable


# ------------------------------------------------------------ on the worker
def grade_shard(payload):
    """Grade one shard on this worker (the Dask task); returns the answer above.

    Refuses (without grading) a shard for a different grader or course, and
    one that requires a sandbox this worker cannot provide; a submission that
    arrived corrupted gets an infrastructure row. Submissions are unpacked into
    a private temporary folder, removed afterwards.
    """
    where = worker_name()
    course, refusal = _course(payload, where)
    if refusal:
        return {"worker": where, "refused": refusal}
    assignment, rows = payload["assignment"], {}
    scratch = tempfile.mkdtemp(prefix="grader-shard-")
    try:
        items, index_of = [], {}
        for entry in payload["items"]:
            folder = Path(scratch, str(entry["index"]))
            folder.mkdir()
            try:
                path = unpack(entry["tar"], entry["sha256"], folder)
            except PackError as err:
                rows[entry["index"]] = row(infrastructure_graded(
                    course, assignment, f"at worker {where}: {err}"), entry["index"])
                continue
            item = gradeall.Item(entry["student"], path, notes=list(entry.get("notes", [])))
            items.append(item)
            index_of[id(item)] = entry["index"]
        try:
            graded = gradeall.grade_all(
                items, course, assignment, workers=1, cache_path=None,
                progress=_progress(payload["run"], index_of),
                require_sandbox=payload["require_sandbox"],
                # Official grading, by the local rule: no isolation, no grading unless
                # allowed; in uid mode the course and this shard's files are hidden.
                official={"allow_unsandboxed": payload.get("allow_unsandboxed", False),
                          "hide": [scratch]})
        except SandboxUnavailable as err:
            return {"worker": where, "refused": f"worker {where} cannot grade officially: {err}"}
        for g in graded:
            rows[index_of[id(g.item)]] = row(g, index_of[id(g.item)])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"worker": where, "graded": [rows[i] for i in sorted(rows)]}


def row(g, index):
    """A Graded as plain data (the answer's rows)."""
    return {"index": index, "report": g.report.to_dict(), "plots": g.plots,
            "seconds": round(g.seconds, 4), "crashed": bool(g.crashed)}


def read_rows(answer, items_by_index):
    """The parent's side of `row`: [(index, Graded)] for the indices asked for."""
    out = []
    for r in answer.get("graded", []):
        item = items_by_index.get(r["index"])
        if item is not None:
            out.append((r["index"], gradeall.Graded(
                item, R.Report.from_dict(r["report"]), r.get("plots", []),
                r.get("seconds", 0.0), crashed=bool(r.get("crashed")))))
    return out


def infrastructure_graded(course, assignment, why, item=None):
    """A Graded for a submission the grader's machinery failed to grade: every
    check at 0 with status infrastructure, `crashed` so it is never cached and
    is graded again by the next run. Never a student's zero."""
    rep = zero_report(course, assignment, f"Not graded because of a fault of the grading "
                      f"cluster, not of this submission ({why}); it is graded again on the "
                      "next run.")
    for c in rep.checks:
        c.status = R.INFRASTRUCTURE
    return gradeall.Graded(item, rep, crashed=True)


def worker_name():
    """This Dask worker's address (host:pid outside a worker)."""
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def _progress(run_id, index_of):
    """A grade_all progress callback that tells the parent, through the
    scheduler, that one more submission is done (the parent counts each once)."""
    try:
        from distributed import get_worker
        worker = get_worker()
    except (ImportError, ValueError):
        return None

    def tell(g):
        worker.log_event(PROGRESS_TOPIC + run_id,
                         {"index": index_of[id(g.item)], "score": g.report.score})
    return tell


# Courses this worker process has seen, by course.yml's sha256: loaded once.
_courses, _courses_lock = {}, threading.Lock()


def _course(payload, where):
    """(Course, None) if this worker can grade `payload`, else (None, why)."""
    from grader.config import ConfigError, load_course
    yml, digest = payload["course"]["yml"], payload["course"]["sha256"]
    if sha256(yml) != digest:
        return None, f"course.yml arrived corrupted at worker {where}"
    with _courses_lock:
        if digest not in _courses:
            folder = tempfile.mkdtemp(prefix="grader-course-")
            atexit.register(shutil.rmtree, folder, True)
            path = Path(folder, "course.yml")
            path.write_bytes(yml)
            try:
                course = load_course(path)
            except ConfigError as err:
                return None, f"worker {where} cannot read this course.yml: {err}"
            _courses[digest] = course, gradeall.grader_version(course)
        course, version = _courses[digest]
    if version != payload["version"]:
        return None, (f"worker {where} has a different grader installed (grader version "
                      f"{version[:12]} there, {payload['version'][:12]} here): install this "
                      "grader's code on every worker, or stop that worker")
    return course, None
