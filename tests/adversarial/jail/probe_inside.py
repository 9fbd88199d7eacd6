"""Inside-the-jail probe: report what a submission can see and do, change nothing lasting.

Graded after the reference decaying_cosine.py (as zz_probe.py). It prints one line
`JAIL-PROBE {json}` with its evidence:
  cap_eff         CapEff of /proc/self/status, as an int
  uid             the real, effective, saved and fs uid
  remount         {target: True if `mount -o remount,rw,bind` (or mount(2)) succeeded}
  written         {target: True if a new file could be created there} (removed at once)
  writable        {target: os.access(target, W_OK)} (the virtualenv is only asked, never written)
  host_disk       the top-level names of the machine's disk if mknod + mount of the block
                  device behind /usr worked, else null
  ptrace          [[pid, comm]] of every other visible process PTRACE_ATTACH succeeded on
  visible         [[pid, comm]] of every other process it can see
  tcp             "connected" if a TCP connection to the test's 127.0.0.1:{PORT} listener
                  worked, else the error
  mem             [[pid, comm]] of every other visible process whose /proc/<pid>/mem it
                  could open and read (its memory: the fork server's, in grade-all)
  environ         [[pid, comm]] of every other visible process whose environ it could read
  seccomp         the Seccomp and NoNewPrivs lines of /proc/self/status ([mode, nnp])
  unshare         "done" if unshare(CLONE_NEWUSER) worked (a fresh user namespace gives
                  every capability back inside it), else the error
Expected with a sound jail: cap_eff == 0, uid has no 0, every remount/written/writable entry
is False, host_disk is null, ptrace, mem and environ are empty, tcp is not "connected",
seccomp is [2, 1] (a filter, no_new_privs) and unshare failed. Scores are those of the
reference (the probe breaks nothing).
"""
import ctypes
import json
import os
import shutil
import socket
import subprocess
import sys

MARK = "{MARK}"
PORT = int("{PORT}")
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_void_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 4, 8, 32, 4096
PTRACE_ATTACH, PTRACE_DETACH, WALL = 16, 17, 0x40000000
evidence = {}


def _status():
    fields = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return "?"


status = _status()
evidence["cap_eff"] = int(status["CapEff"], 16)
evidence["uid"] = [int(x) for x in status["Uid"].split()]

try:
    import grader
    grader_copy = os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__)))
except ImportError:
    grader_copy = None
targets = {"usr": "/usr", "python_install": os.path.realpath(sys.base_prefix),
           "venv": sys.prefix, "grader_copy": grader_copy}
targets = {k: v for k, v in targets.items() if v}

# 1. remount the read-only binds writable (the mount binary, then mount(2) directly)
mount_bin = shutil.which("mount") or next((p for p in ("/usr/bin/mount", "/bin/mount")
                                           if os.path.exists(p)), None)
evidence["remount"] = {}
for name, path in targets.items():
    ok = False
    if mount_bin:
        try:
            ok = subprocess.run([mount_bin, "-o", "remount,rw,bind", path],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=10, check=False).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
    if not ok:
        ok = libc.mount(None, path.encode(), None, MS_REMOUNT | MS_BIND, None) == 0
    evidence["remount"][name] = ok

# 2. write there (never into the virtualenv: it may be another checkout's; asked only)
evidence["written"], evidence["writable"] = {}, {}
for name, path in targets.items():
    evidence["writable"][name] = os.access(path, os.W_OK)
    if name == "venv":
        continue
    probe = os.path.join(path, f".jailprobe-{MARK}")
    try:
        with open(probe, "x") as fh:
            fh.write("written from inside the jail\n")
        os.unlink(probe)
        evidence["written"][name] = True
    except OSError:
        evidence["written"][name] = False

# 3. the machine's disk itself: mknod the block device behind /usr and mount it
evidence["host_disk"] = None
try:
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            pre, _, post = line.partition(" - ")
            fields = pre.split()
            if fields[4] == "/usr":
                major, minor = (int(x) for x in fields[2].split(":"))
                fstype = post.split()[0]
                break
        else:
            raise OSError("no /usr mount")
    # /tmp and /dev are nodev: a fresh tmpfs without nodev holds the device node
    devdir, where = f"/tmp/jail-dev-{MARK}", f"/tmp/jail-mnt-{MARK}"
    os.mkdir(devdir)
    os.mkdir(where)
    libc.mount(b"tmpfs", devdir.encode(), b"tmpfs", MS_NOSUID | MS_NOEXEC, None)
    node = os.path.join(devdir, "disk")
    os.mknod(node, 0o600 | 0o060000, os.makedev(major, minor))
    for flags in (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, MS_NOSUID | MS_NODEV | MS_NOEXEC):
        if libc.mount(node.encode(), where.encode(), fstype.encode(), flags, None) == 0:
            try:
                evidence["host_disk"] = sorted(os.listdir(where))[:20]
            finally:
                libc.umount2(where.encode(), 2)
            break
except (OSError, ValueError):
    pass

# 4. ptrace every other process it can see
evidence["ptrace"], evidence["visible"] = [], []
# In a pid namespace of its own below the jail's /proc, this process's pid there is not
# os.getpid(): /proc/self names it.
me = {int(os.readlink("/proc/self"))}
for entry in sorted(os.listdir("/proc")):
    if not entry.isdigit() or int(entry) in me:
        continue
    pid = int(entry)
    evidence["visible"].append([pid, _comm(pid)])
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
        evidence["ptrace"].append([pid, _comm(pid)])
        try:
            os.waitpid(pid, WALL)
        except OSError:
            pass
        libc.ptrace(PTRACE_DETACH, pid, None, None)

# 4b. read other processes' memory and environment through /proc
evidence["mem"], evidence["environ"] = [], []
for pid, comm in evidence["visible"]:
    try:
        with open(f"/proc/{pid}/maps") as fh:
            start = int(fh.readline().split("-")[0], 16)
        with open(f"/proc/{pid}/mem", "rb") as fh:
            fh.seek(start)
            if fh.read(16):
                evidence["mem"].append([pid, comm])
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            if fh.read(1):
                evidence["environ"].append([pid, comm])
    except OSError:
        pass

# 4c. what guards this process itself
evidence["seccomp"] = [int(status.get("Seccomp", "-1")), int(status.get("NoNewPrivs", "-1"))]
libc.unshare.argtypes = [ctypes.c_int]
if libc.unshare(0x10000000) == 0:
    evidence["unshare"] = "done"
else:
    evidence["unshare"] = os.strerror(ctypes.get_errno())

# 5. phone home
try:
    with socket.create_connection(("127.0.0.1", PORT), timeout=3) as conn:
        conn.sendall(b"hello from inside the jail\n")
    evidence["tcp"] = "connected"
except OSError as err:
    evidence["tcp"] = f"{type(err).__name__}: {err}"

print("JAIL-PROBE " + json.dumps(evidence), flush=True)
