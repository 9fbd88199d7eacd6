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
