"""The suite's machine lock and scheduling (tests/conftest.py): an `exclusive` test runs with
no other test beside it, and does not starve while the other workers keep starting tests."""
import os
import threading
import time

from tests.conftest import RUN_DIR_ENV, MachineLock, machine_share


def blocked_on(folder):
    """How many flock requests on the lock files of `folder` are waiting (/proc/locks)."""
    inodes = {os.stat(folder / name).st_ino for name in ("turnstile.lock", "machine.lock")}
    with open("/proc/locks") as fh:
        return sum(1 for line in fh if "->" in line and "FLOCK" in line
                   and int(line.split()[6].split(":")[2]) in inodes)


def wait_until(condition, what):
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_an_exclusive_test_waits_for_running_ones_and_goes_before_later_ones(tmp_path):
    first, exclusive, later = (MachineLock(tmp_path) for _ in range(3))  # three "workers"
    started, done = [], {name: threading.Event() for name in ("first", "exclusive", "later")}

    def test(lock, name, is_exclusive):
        with lock.hold(is_exclusive):
            started.append(name)
            done[name].wait(10)

    threads = [threading.Thread(target=test, args=(first, "first", False))]
    threads[0].start()
    wait_until(lambda: started == ["first"], "a shared hold on a free lock")
    threads.append(threading.Thread(target=test, args=(exclusive, "exclusive", True)))
    threads[1].start()
    wait_until(lambda: blocked_on(tmp_path) == 1, "the exclusive test waits for the first")
    threads.append(threading.Thread(target=test, args=(later, "later", False)))
    threads[2].start()
    # A plain readers-writer lock would let this shared hold in beside the first one.
    wait_until(lambda: blocked_on(tmp_path) == 2, "a later test waits behind the exclusive one")
    assert started == ["first"]
    done["first"].set()
    wait_until(lambda: len(started) == 2, "the exclusive test starts once the first ends")
    time.sleep(0.1)
    assert started == ["first", "exclusive"]   # alone
    done["exclusive"].set()
    wait_until(lambda: len(started) == 3, "the later test starts after the exclusive one")
    done["later"].set()
    for t in threads:
        t.join(10)
    assert started == ["first", "exclusive", "later"]


def test_a_test_file_is_one_xdist_group_and_the_selftest_one_per_assignment():
    from tests.conftest import xdist_group
    assert xdist_group("tests/unit/test_wire.py::test_malformed[payload0]") == "tests/unit/test_wire.py"
    case = "tests/e2e/test_selftest.py::test_case[hw1_autograd-mutant-trid_sign]"
    headroom = "tests/e2e/test_selftest.py::test_every_check_has_headroom_over_correct_work[hw1_autograd]"
    assert xdist_group(case) == xdist_group(headroom) == "tests/e2e/test_selftest.py::hw1_autograd"
    assert xdist_group(case.replace("hw1_autograd", "hw2_torch")) != xdist_group(case)


def test_each_task_of_a_pooled_test_holds_the_lock_until_its_own_end(tmp_path, monkeypatch):
    """machine_share() in two threads of one worker (the pooled selftest's cases): the first
    task's release must not drop the second's hold (flock belongs to an open file)."""
    monkeypatch.setenv(RUN_DIR_ENV, str(tmp_path))
    inside = {name: threading.Event() for name in ("a", "b")}
    leave = {name: threading.Event() for name in ("a", "b")}
    exclusive_started = threading.Event()

    def task(name):
        with machine_share():
            inside[name].set()
            leave[name].wait(10)

    def exclusive():
        with MachineLock(tmp_path).hold(True):
            exclusive_started.set()

    tasks = [threading.Thread(target=task, args=(n,)) for n in ("a", "b")]
    for t in tasks:
        t.start()
    wait_until(lambda: all(e.is_set() for e in inside.values()), "two shared task holds")
    waiter = threading.Thread(target=exclusive)
    waiter.start()
    wait_until(lambda: blocked_on(tmp_path) == 1, "the exclusive test waits for the tasks")
    leave["a"].set()
    tasks[0].join(10)
    assert not exclusive_started.wait(0.5), "task b still grades: no exclusive test may start"
    leave["b"].set()
    assert exclusive_started.wait(10)
    for t in [*tasks, waiter]:
        t.join(10)


def test_the_costliest_group_is_dealt_out_first_and_the_rest_keep_their_order():
    from collections import OrderedDict

    from tests.conftest import GROUP_SECONDS, costliest_first
    heavy = max(GROUP_SECONDS, key=GROUP_SECONDS.get)
    queue = OrderedDict([("tests/unit/a.py", {}), ("tests/unit/b.py", {}), (heavy, {})])
    costliest_first(queue)
    assert list(queue) == [heavy, "tests/unit/a.py", "tests/unit/b.py"]
    queue.popitem(last=False)
    costliest_first(queue)
    assert list(queue) == ["tests/unit/a.py", "tests/unit/b.py"]
