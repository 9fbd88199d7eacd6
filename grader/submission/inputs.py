"""Untrusted submission files, checked before the parent reads a byte of them.

The parent reads submissions outside any sandbox, so every path is checked
first: size limits that apply to every file whatever its loader, symlinks
inside a submitted folder (skipped, never followed), bounded depth, and .zip
archives, which are unpacked only after each member passes: no absolute
names, no `..`, no symlinks or devices, bounded count, size and
compression ratio (a zip bomb is refused before it is inflated), counted
again while inflating because headers can lie.
"""
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from grader.config import Limits

# The caps are course.yml `limits` keys (defaults in config.Limits); every refusal names its key:
#   input_file_mb  any single submitted file        zip_mb       the archive itself
#   submission_mb  everything in a zip, inflated    zip_members  files in a zip
#   zip_ratio      inflated / compressed, for members above 1 MB
MB = 1024 * 1024
SKIPPED_DIRS = ("__MACOSX", ".git", ".ipynb_checkpoints", "__pycache__")
MAX_DEPTH = 32     # folders below a submission's top; deeper files are not read (a zip: refused)
MAX_NAME_BYTES = 255   # one file or folder name (the file system's limit)


class InputError(ValueError):
    """A submission file that must not be read; the message says why, for the student."""


def check_file(path, limits=None):
    """Refuse a file that must not be read: not a regular file once links are followed
    (a FIFO would block the reader, /dev/zero never ends), too large, or empty.
    Only metadata is looked at (stat); nothing is opened."""
    limits = limits or Limits()
    try:
        st = os.stat(path)
    except OSError as err:
        raise InputError(f"{Path(path).name}: cannot be read ({err.strerror or err}); "
                         "a broken link?") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{Path(path).name}: not a regular file (a FIFO, socket, device or "
                         "a link to one); submit the file itself")
    size = st.st_size
    if size > limits.input_file_mb * MB:
        raise InputError(f"{Path(path).name}: {size / 1e6:.1f} MB is larger than the "
                         f"{limits.input_file_mb} MB the grader reads per file (course.yml "
                         "limits.input_file_mb); clear the notebook's outputs (Kernel > Restart "
                         "& Clear Output) and resubmit")
    if size == 0:
        raise InputError(f"{Path(path).name}: the file is empty (0 bytes); was it saved?")


def entry_problem(path, folder, limits=None):
    """Why the class-folder entry `path` (a student's file or folder in `folder`) must
    not be read, or None. lstat only: a link that leads out of `folder` is refused
    whatever it points at (a 1 TB file, /dev/zero, someone else's submission)."""
    try:
        st = os.lstat(path)
    except OSError as err:
        return f"{Path(path).name}: cannot be read ({err.strerror or err})"
    if stat.S_ISLNK(st.st_mode) and not inside(folder, path):
        return (f"{Path(path).name}: a symbolic link to something outside the class folder; "
                "not read")
    if stat.S_ISDIR(st.st_mode) or (stat.S_ISLNK(st.st_mode) and Path(path).is_dir()):
        return None
    try:
        check_file(path, limits)
    except InputError as err:
        return str(err)
    return None


def read_small_text(path, limit=256):
    """The first `limit` bytes of a regular file that is not a link, as text; '' for
    anything else (a FIFO, a device, a link, a missing file): never blocks."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        return os.read(fd, limit).decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        os.close(fd)


def regular_files(folder, limits=None):
    """Every regular file under `folder` that is no link and within the size limit,
    sorted; links, special files, oversized files and SKIPPED_DIRS are left out (lstat
    only). THE list of a submission folder's files: the loader reads only these
    (locate.py never follows a link inside a submission), the child's copy of the folder
    (execution/sandbox.copy_submission) holds exactly these, and grade-all's cache key
    covers them, so nothing runs that the key does not cover."""
    cap = (limits or Limits()).input_file_mb * MB
    found, todo = [], [(os.fspath(folder), 0)]
    while todo:  # a loop (Python 3.11's os.walk recurses), never below MAX_DEPTH
        top, depth = todo.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):   # a link to a folder is a link: not followed
                if entry.name not in SKIPPED_DIRS and depth < MAX_DEPTH:
                    todo.append((entry.path, depth + 1))
            elif stat.S_ISREG(st.st_mode) and st.st_size <= cap:
                found.append(Path(entry.path))
    return sorted(found)


def inside(folder, path):
    """True if `path` (symlinks resolved) lies within `folder`."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def safe_members(folder, paths, limits=None):
    """Split `paths` found in `folder` into (kept, notes): a symbolic link (never read
    inside a submission: what is graded is what regular_files lists, no more), or a file
    over the size limit, is left out with a note."""
    kept, notes = [], []
    for p in paths:
        if p.is_symlink():
            where = "inside" if inside(folder, p) else "outside"
            notes.append(f"{p.name}: a symbolic link (to a file {where} the submission); "
                         "not read (submit the file itself)")
            continue
        try:
            check_file(p, limits)
        except InputError as err:
            notes.append(str(err))
            continue
        kept.append(p)
    return kept, notes


# ------------------------------------------------------------------- zips
def _member_problem(info, ratio):
    name = info.filename
    pure = PurePosixPath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in pure.parts:
        return "a '..' path that leads out of the archive"
    if len(pure.parts) > MAX_DEPTH + 1:
        return f"a path more than {MAX_DEPTH} folders deep"
    if any(len(os.fsencode(p)) > MAX_NAME_BYTES for p in pure.parts):
        return f"a name longer than {MAX_NAME_BYTES} bytes"
    ftype = stat.S_IFMT(info.external_attr >> 16)
    if ftype and ftype not in (stat.S_IFREG, stat.S_IFDIR):
        return "a symbolic link or special file"
    if info.flag_bits & 0x1:
        return "an encrypted file"
    if info.file_size > MB and info.file_size > ratio * max(info.compress_size, 1):
        return f"a compression ratio above {ratio}:1 (a zip bomb? course.yml limits.zip_ratio)"
    return None


def unpack_zip(path, dest, limits=None):
    """Unpack a .zip into `dest` after checking every member; return `dest`'s
    submission folder (the single top-level folder if that is all there is)."""
    limits = limits or Limits()
    if os.stat(path).st_size > limits.zip_mb * MB:
        raise InputError(f"{Path(path).name}: the archive is larger than "
                         f"{limits.zip_mb} MB (course.yml limits.zip_mb)")
    check_file(path, limits)
    unzipped = limits.submission_mb * MB
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as err:
        raise InputError(f"{Path(path).name}: not a readable .zip archive ({err}); "
                         "re-create it and resubmit") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.zip_members:
            raise InputError(f"{Path(path).name}: {len(infos)} files in the archive, more "
                             f"than the {limits.zip_members} the grader accepts (course.yml "
                             "limits.zip_members)")
        for info in infos:
            problem = _member_problem(info, limits.zip_ratio)
            if problem:
                raise InputError(f"{Path(path).name}: refused, the archive member "
                                 f"'{shown(info.filename)}' has {problem}")
        too_big = InputError(f"{Path(path).name}: more than {limits.submission_mb} MB once "
                             "unpacked (course.yml limits.submission_mb)")
        if sum(i.file_size for i in infos) > unzipped:
            raise too_big
        budget = unzipped
        for info in infos:
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if not parts or any(p in SKIPPED_DIRS for p in parts) or info.is_dir():
                continue
            target = Path(dest, *parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    while True:
                        block = src.read(65536)
                        if not block:
                            break
                        budget -= len(block)
                        if budget < 0:
                            raise too_big
                        out.write(block)
            except OSError as err:  # a file and a folder of one name; a name the OS refuses
                raise InputError(f"{Path(path).name}: the archive member "
                                 f"'{shown(info.filename)}' cannot be unpacked "
                                 f"({err.strerror or type(err).__name__}; a file and a folder "
                                 "of the same name?); re-create the archive and resubmit") from None
            except (zipfile.BadZipFile, zlib_error(), EOFError, ValueError,
                    NotImplementedError) as err:  # NotImplementedError: an unknown compression
                raise InputError(f"{Path(path).name}: the archive is corrupt "
                                 f"({type(err).__name__}); re-create it and resubmit") from None
    entries = [p for p in Path(dest).iterdir()]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return Path(dest)


def shown(name, width=80):
    """A member name as a message shows it: at most `width` characters."""
    return name if len(name) <= width else name[:width - 3] + "..."


def zlib_error():
    import zlib
    return zlib.error


def unpack_to_temp(path, limits=None):
    """(temporary folder, submission folder inside it) for a .zip; the caller removes
    the temporary folder when grading is done (the child may read the files)."""
    tmp = tempfile.mkdtemp(prefix="grader-zip-")
    try:
        return tmp, unpack_zip(path, tmp, limits)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
