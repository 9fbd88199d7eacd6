"""Untrusted submission files, checked before the parent reads a byte of them.

The parent reads submissions outside any sandbox, so every path is checked
first: size limits that apply to every file whatever its loader, symlinks
that lead out of a submitted folder (skipped, never followed), and .zip
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

MAX_FILE_BYTES = 25 * 1024 * 1024     # any single submitted file (a notebook with plots fits)
MAX_ZIP_BYTES = 25 * 1024 * 1024      # the archive itself
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # everything in it, inflated
MAX_ZIP_MEMBERS = 500
MAX_RATIO = 100                       # inflated / compressed, for members above 1 MB
SKIPPED_DIRS = ("__MACOSX", ".git", ".ipynb_checkpoints", "__pycache__")


class InputError(ValueError):
    """A submission file that must not be read; the message says why, for the student."""


def check_file(path):
    """Refuse a file that is too large to read (whatever its type)."""
    size = os.stat(path).st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"{Path(path).name}: {size / 1e6:.1f} MB is larger than the "
                         f"{MAX_FILE_BYTES / 1e6:.0f} MB the grader reads per file; clear the "
                         "notebook's outputs (Kernel > Restart & Clear Output) and resubmit")
    if size == 0:
        raise InputError(f"{Path(path).name}: the file is empty (0 bytes); was it saved?")


def inside(folder, path):
    """True if `path` (symlinks resolved) lies within `folder`."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def safe_members(folder, paths):
    """Split `paths` found in `folder` into (kept, notes): a symlink whose target
    is outside the folder, or a file over the size limit, is left out with a note."""
    kept, notes = [], []
    for p in paths:
        if p.is_symlink() and not inside(folder, p):
            notes.append(f"{p.name}: a symbolic link to a file outside the submission; "
                         "not read (submit the file itself)")
            continue
        try:
            check_file(p)
        except InputError as err:
            notes.append(str(err))
            continue
        kept.append(p)
    return kept, notes


# ------------------------------------------------------------------- zips
def _member_problem(info):
    name = info.filename
    pure = PurePosixPath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in pure.parts:
        return "a '..' path that leads out of the archive"
    ftype = stat.S_IFMT(info.external_attr >> 16)
    if ftype and ftype not in (stat.S_IFREG, stat.S_IFDIR):
        return "a symbolic link or special file"
    if info.flag_bits & 0x1:
        return "an encrypted file"
    if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"a compression ratio above {MAX_RATIO}:1 (a zip bomb?)"
    return None


def unpack_zip(path, dest):
    """Unpack a .zip into `dest` after checking every member; return `dest`'s
    submission folder (the single top-level folder if that is all there is)."""
    check_file(path)
    if os.stat(path).st_size > MAX_ZIP_BYTES:
        raise InputError(f"{Path(path).name}: the archive is larger than "
                         f"{MAX_ZIP_BYTES / 1e6:.0f} MB")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputError(f"{Path(path).name}: not a readable .zip archive ({err}); "
                         "re-create it and resubmit") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InputError(f"{Path(path).name}: {len(infos)} files in the archive, more "
                             f"than the {MAX_ZIP_MEMBERS} the grader accepts")
        for info in infos:
            problem = _member_problem(info)
            if problem:
                raise InputError(f"{Path(path).name}: refused, the archive member "
                                 f"'{info.filename[:200]}' has {problem}")
        if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
            raise InputError(f"{Path(path).name}: more than {MAX_UNZIPPED_BYTES / 1e6:.0f} MB "
                             "once unpacked")
        budget = MAX_UNZIPPED_BYTES
        for info in infos:
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if not parts or any(p in SKIPPED_DIRS for p in parts) or info.is_dir():
                continue
            target = Path(dest, *parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as out:
                    while True:
                        block = src.read(65536)
                        if not block:
                            break
                        budget -= len(block)
                        if budget < 0:
                            raise InputError(f"{Path(path).name}: more than "
                                             f"{MAX_UNZIPPED_BYTES / 1e6:.0f} MB once unpacked")
                        out.write(block)
            except (zipfile.BadZipFile, zlib_error(), OSError, EOFError) as err:
                raise InputError(f"{Path(path).name}: the archive is corrupt "
                                 f"({type(err).__name__}); re-create it and resubmit") from None
    entries = [p for p in Path(dest).iterdir()]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return Path(dest)


def zlib_error():
    import zlib
    return zlib.error


def load_zip(path, order, load_folder):
    """Unpack `path` to a temporary folder, load it with `load_folder(folder, order)`,
    and remove the folder (the chunks carry the code)."""
    tmp = tempfile.mkdtemp(prefix="grader-zip-")
    try:
        folder = unpack_zip(path, tmp)
        sub = load_folder(folder, order)
        sub.origin = str(path)
        return sub
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
