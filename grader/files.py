"""Writing result files so that a crash never leaves half a file."""
import os
import tempfile
from pathlib import Path


def write_atomic(path, text, mode=0o644):
    """Write `text` (str or bytes) to `path` via a temporary file in the same folder
    and a rename; the file gets permissions `mode`."""
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".",
                               prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class OutputError(Exception):
    """An output path that cannot be written; the message names it and says why."""


def prepare_output(path, is_dir=False):
    """Make an output ready before any work is done: create its folder (for a folder
    output, the folder itself) and prove that a file can be created there.

    Returns `path` as a Path; raises OutputError (a message for the user) if the
    path is a folder where a file is wanted (or the reverse), or if the folder
    cannot be created or written (a file in the way, permissions, a read-only disk).
    """
    path = Path(path)
    if is_dir and path.exists() and not path.is_dir():
        raise OutputError(f"{path} is a file; a folder is needed here")
    if not is_dir and path.is_dir():
        raise OutputError(f"{path} is a folder; a file name is needed here")
    folder = path if is_dir else (path.parent if str(path.parent) else Path("."))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Writing, not os.access: root passes access() on a read-only mount.
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".grader-write-test.")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        blocker = next((p for p in [folder, *folder.parents] if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise OutputError(f"cannot write {path}: {blocker} is a file, not a folder") from None
        raise OutputError(f"cannot write {path}: the folder {folder}: "
                          f"{err.strerror or err}") from None
    return path
