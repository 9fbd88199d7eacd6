"""Uid mode (no bubblewrap, the child runs as an unprivileged uid of its own): what
the submission's uid must not read is made unreadable to it by permissions.

That uid shares no group with anyone, so only the "others" bits of a file decide
what it may do. `hide(paths, recurse=...)` removes them (o-rwx) from each path,
the grader's own files: the course root (course.yml, solutions/), the grader's
checkout, the submission(s) and the results folder. One exception: a directory
on the way to what the child must run (the Python install, the virtualenv, the
jail folder with the staged probe-only grader and the private work dirs) keeps
o+x but loses o+r (it can be passed through, not listed), and, where `recurse`
is set (the course root and the grader's checkout: a `.venv` often sits in the
checkout), its other entries lose o-rwx one by one. Links are never changed
(chmod would follow them). "/" and sticky folders such as /tmp are never
touched; a path that cannot be hidden is reported once on stderr.

The old modes are put back when the grader exits normally (atexit). A grader
killed while grading leaves the folders closed to other uids: the safe side.
"""
import atexit
import os
import stat
import sys
import threading

_changed = {}   # real path -> mode before we changed it
_lock = threading.Lock()
_registered = False


def must_stay_reachable():
    """Real paths the child needs: the interpreter, its install and the virtualenv
    (also as the child names it), and the folder of jails and the staged grader."""
    from grader.execution.sandbox import jail_base
    keep = {sys.prefix, os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
            os.path.dirname(os.path.realpath(sys.executable)), os.path.abspath(jail_base())}
    return sorted(keep)


def hide(paths, recurse=False, keep=None, quiet=False):
    """Make each of `paths` unreadable to other uids (see the module docstring).
    Returns the paths that could not be hidden (with why); says so on stderr unless quiet."""
    global _registered
    keep = [os.path.abspath(k) for k in (keep if keep is not None else must_stay_reachable())]
    problems = []
    with _lock:
        if not _registered:
            atexit.register(restore)
            _registered = True
        for path in paths:
            problems += _hide(os.path.abspath(path), keep, recurse)
    for problem in problems if not quiet else ():
        print(f"grader: WARNING: {problem}", file=sys.stderr)
    return problems


def _hide(path, keep, recurse):
    try:
        st = os.lstat(path)
    except OSError:
        return []
    if stat.S_ISLNK(st.st_mode):
        return _hide(os.path.realpath(path), keep, recurse) if recurse else []
    if path == "/" or st.st_mode & stat.S_ISVTX:
        return [f"{path} is a shared folder; it was not closed to the submission's uid"]
    if any(k == path for k in keep):
        return []
    if not any(k.startswith(path.rstrip("/") + "/") for k in keep):
        _chmod(path, st.st_mode & ~0o007)
        return []
    if not recurse:
        return [f"{path} holds the Python install or the jails; it stays readable to the "
                "submission's uid"]
    _chmod(path, st.st_mode & ~0o004)   # passed through to the kept path, never listed
    problems = []
    for name in sorted(os.listdir(path)):
        problems += _hide(os.path.join(path, name), keep, recurse=True)
    return problems


def _chmod(path, mode):
    old = stat.S_IMODE(os.lstat(path).st_mode)
    new = stat.S_IMODE(mode)
    if new == old:
        return
    _changed.setdefault(path, old)
    os.chmod(path, new)


def restore():
    """Put back every mode `hide` changed (idempotent)."""
    with _lock:
        for path, mode in sorted(_changed.items(), reverse=True):
            try:
                os.chmod(path, mode)
            except OSError:
                pass
        _changed.clear()


def grader_checkout():
    """The grader's own files: its checkout (when the package sits in one with course.yml
    or solutions/ beside it), else the package folder."""
    from grader import PACKAGE_DIR
    parent = PACKAGE_DIR.parent
    if (parent / "course.yml").exists() or (parent / "solutions").exists():
        return str(parent)
    return str(PACKAGE_DIR)


def hide_for_uid_mode(course_root, others=()):
    """What official grading hides in uid mode: the course root and the grader's
    checkout (recursively, around the virtualenv), then `others` (submissions,
    class folder, results folder) as a whole; a shared folder among `others`
    (e.g. /tmp as the folder of a submission) is left as it is, quietly."""
    problems = hide([course_root, grader_checkout()], recurse=True)
    return problems + hide([p for p in others if p], quiet=True)


def prepare_official(sandbox, course_root, others=(), allow_unsandboxed=False):
    """Before official grading (grade, grade-all, Gradescope): refuse to run student code
    as the grader's own user unless allowed (sandbox.SandboxUnavailable), and in uid
    mode hide the grader's files from the submission's uid. Returns the isolation."""
    sandbox.require_isolation(allow_unsandboxed)
    if sandbox.isolation == "uid":
        hide_for_uid_mode(course_root, others)
    return sandbox.isolation
