"""The parent's end of the child's control channel, shared by every session type.

One framing (an 8-byte big-endian length, then a JSON body), one deadline rule,
one output tap and ONE check of what the child sends. The child runs student
code, and student code can write to the control socket too (it is an fd like
any other), so every reply is treated as untrusted input: `read_reply` returns
only well-formed messages of the expected shape, reduced to the fields and
types the parent uses, and anything else is a `ChildFault` that costs the
check being run (the session restarts the child for the next one).

This module imports nothing POSIX-only: the in-notebook session uses
`ChildFault` on every platform.
"""
import json
import os
import socket
import struct
import threading

from grader import wire
from grader.status import CHILD_STATUSES


class ChildFault(Exception):
    """The child died, timed out or sent something that is not our protocol.

    status: 'timeout' | 'error' | 'infrastructure' (the grader's fault, never
    the student's: not cached, regraded); message: for the student.
    """

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class ProtocolFault(ChildFault):
    """The child sent a frame that is not the grader's protocol (malformed, unexpected,
    too many stale frames). Honest code never does: the control channel is a private
    copy of fds the student's print never reaches, so only code that writes to it on
    purpose gets here. The judge caps the restarts these cost (limits.protocol_faults)."""

    def __init__(self, message):
        super().__init__("error", message)


class OversizedReply(ChildFault):
    """A reply larger than the parent accepts. `drained`: its bytes were read and
    dropped, so the channel is still in step and the child may serve the next check."""

    def __init__(self, message, drained):
        super().__init__("error", message)
        self.drained = drained


class Channel:
    """Length-prefixed JSON messages over a connected socket, read under deadlines."""

    def __init__(self, sock, on_eof):
        """sock: our end of a socketpair; on_eof(): the message to report when the
        child closes its end (it died), e.g. 'the process was killed by SIGKILL'."""
        self.sock, self.on_eof = sock, on_eof
        self.last_length = 0   # bytes of the last message's body, as announced

    def send(self, message):
        body = json.dumps(message, allow_nan=False).encode("utf-8")
        try:
            self.sock.sendall(struct.pack(">Q", len(body)) + body)
        except OSError:
            pass  # the child died; the next receive says so

    def receive(self, watch, max_bytes=wire.MAX_MESSAGE_BYTES):
        """One decoded JSON object, or ChildFault (time spent, death, oversize, garbage).

        watch: a cputime.Watch; it is checked between short blocking reads, so the
        child's CPU use is polled while the parent waits."""
        (length,) = struct.unpack(">Q", self._read_exact(8, watch))
        self.last_length = length
        if length > max_bytes:  # refused on the prefix: the body is never kept
            message = (f"the submission returned {_size(length)} of data, more than the "
                       f"{_size(max_bytes)} the grader accepts per check")
            drained = length <= wire.MAX_MESSAGE_BYTES and self._discard(length, watch)
            raise OversizedReply(message, drained)
        try:
            message = json.loads(self._read_exact(length, watch).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError, MemoryError):
            raise ProtocolFault("the grader child sent malformed data") from None
        if not isinstance(message, dict):
            raise ProtocolFault("the grader child sent malformed data")
        return message

    def _discard(self, n, watch):
        """Read and drop `n` bytes in small blocks (the channel stays in step, so the
        child can go on with the next check); True when done."""
        block = bytearray(1 << 16)
        while n > 0:
            watch.check()
            self.sock.settimeout(watch.poll_interval())
            try:
                got = self.sock.recv_into(block, min(n, len(block)))
            except socket.timeout:
                continue
            except OSError:
                got = 0
            if not got:
                raise ChildFault("error", self.on_eof())
            n -= got
        return True

    def _read_exact(self, n, watch):
        buf = bytearray()
        while len(buf) < n:
            watch.check()
            self.sock.settimeout(watch.poll_interval())
            try:
                chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            except socket.timeout:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                raise ChildFault("error", self.on_eof())
            buf += chunk
        return bytes(buf)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _size(n):
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# ------------------------------------------------------- what the child may say
MAX_LOAD_ERROR_CHARS = 2000


def clean_loaded(reply, names=None):
    """The 'loaded' reply reduced to the fields and types the parent uses.

    names: the chunk names of the load request, in order. The child answers one entry
    per chunk it was sent, so at most len(names) entries are kept, each named by the
    request (what the child claims as a name is not used)."""
    if reply.get("op") != "loaded":
        raise ProtocolFault("the grader child sent an unexpected reply while loading")
    chunks = reply.get("chunks") if isinstance(reply.get("chunks"), list) else []
    if names is None:
        names = [str(c.get("name", "?"))[:200] if isinstance(c, dict) else "?"
                 for c in chunks[:10000]]
    clean = [{"name": name,
              "error": str(c["error"])[:MAX_LOAD_ERROR_CHARS] if c.get("error") else None}
             for name, c in zip(names, chunks) if isinstance(c, dict)]
    seconds = reply.get("import_s")
    return {"op": "loaded", "chunks": clean,
            "import_s": float(seconds) if isinstance(seconds, (int, float)) else 0.0}


def clean_result(reply):
    """A probe's 'result' reply, checked: {"op": "result", "ok": True, "value"} or
    {"op": "result", "ok": False, "error": {"status", "message"}}; else ChildFault."""
    if reply.get("op") != "result" or not isinstance(reply.get("ok"), bool):
        raise ProtocolFault("the grader child sent an unexpected reply")
    if reply["ok"]:
        return {"op": "result", "ok": True, "value": reply.get("value")}
    err = reply.get("error") if isinstance(reply.get("error"), dict) else {}
    status = err.get("status") if err.get("status") in CHILD_STATUSES else "error"
    return {"op": "result", "ok": False,
            "error": {"status": status, "message": str(err.get("message", "unknown error"))[:2000]}}


# ------------------------------------------------------------------ output tap
class OutputTap:
    """Drains the child's output pipe (stdout + stderr), keeping the first `limit` bytes.

    `mark()` returns the offset of what was kept so far, so a caller can tell
    what was printed during one check. `finish()` returns at once rather than
    waiting for end of file: the child flushes its output before every reply,
    so once the last reply is in, everything it printed is already in the pipe
    (a killed process with torch mapped takes ~15 ms to close its fds).
    """

    def __init__(self, fd, limit):
        self.fd, self.limit, self.kept, self.dropped = fd, limit, bytearray(), 0
        self.lock, self.read_lock = threading.Lock(), threading.Lock()
        self.closed = False
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(fd, False)
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _keep(self, chunk):
        with self.lock:
            room = max(self.limit - len(self.kept), 0)
            self.kept += chunk[:room]
            self.dropped += max(len(chunk) - room, 0)

    def _read_available(self):
        """Read what is there now; False at end of file. One reader at a time, so
        what is kept stays in the order it was printed."""
        with self.read_lock:
            while not self.closed:
                try:
                    chunk = os.read(self.fd, 65536)
                except BlockingIOError:
                    return True
                except OSError:
                    return False
                if not chunk:
                    return False
                self._keep(chunk)
            return False

    def _drain(self):
        import select
        open_ = True
        while open_:
            ready, _, _ = select.select([self.fd, self.wake_r], [], [])
            if self.wake_r in ready:
                self._read_available()
                break
            open_ = self._read_available()
        with self.read_lock:
            self.closed = True
            os.close(self.fd)
        os.close(self.wake_r)

    def mark(self):
        """Bytes kept so far (pass to `text(since=...)` for what came after)."""
        self._read_available()
        with self.lock:
            return len(self.kept)

    def finish(self):
        try:
            os.write(self.wake_w, b"x")
        except OSError:
            pass
        self.thread.join(timeout=2)
        try:
            os.close(self.wake_w)
        except OSError:
            pass

    def text(self, since=0):
        """What was kept from byte `since` on (the pipe is drained first, so it holds
        everything the child printed before its last reply)."""
        self._read_available()
        with self.lock:
            out = bytes(self.kept[since:]).decode("utf-8", "replace")
            dropped = self.dropped
        return out + (f"\n[... {dropped} more bytes of output dropped]" if dropped else "")


def death_message(signal_name, exit_code, limits):
    """Why the child's process ended, in the student's terms."""
    if signal_name == "SIGKILL":
        return ("the process was killed (SIGKILL), most likely for using more than the "
                f"{limits.memory_mb} MB memory limit")
    if signal_name:
        return f"the process was killed by {signal_name}"
    if exit_code is None:
        return "the process ended unexpectedly"
    return (f"the process exited with code {exit_code}: does your code call exit(), "
            "sys.exit() or os._exit()?")
