"""Leave a process behind: a grandchild in its own session that sleeps for ten
minutes, named {MARK} so the test can look for it."""
import ctypes
import os
import time

_libc = ctypes.CDLL(None)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        _libc.prctl(15, b"{MARK}", 0, 0, 0)  # PR_SET_NAME
        time.sleep(600)
    os._exit(0)
time.sleep(0.2)
