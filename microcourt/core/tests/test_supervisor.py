"""``microcourt serve`` keeps its task workers running: a worker that dies (here: killed with
SIGKILL, a real process) is started again, the exit logged, and one that keeps dying is
restarted ever more slowly rather than in a tight loop (issue 14)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time

import pytest

from microcourt.core.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def supervisor():
    made = []

    def make(programs, **options):
        made.append(Supervisor(programs, poll=0.05, **options))
        made[-1].start()
        return made[-1]

    yield make
    for sup in made:
        sup.stop(timeout=5)


def test_a_killed_worker_is_restarted_and_the_death_is_logged(supervisor, caplog):
    caplog.set_level(logging.INFO, logger="microcourt.serve")
    sup = supervisor({"worker": SLEEPER, "urgent worker": SLEEPER}, backoff=0.1)
    first, urgent = sup.pid("worker"), sup.pid("urgent worker")
    assert first and urgent

    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: sup.pid("worker") not in (None, first))
    assert sup.restarts("worker") == 1
    assert sup.pid("urgent worker") == urgent  # the other worker was left alone
    died = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"worker (pid {first}) exited with code -9" in died[0].getMessage()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_stopping_ends_every_worker(supervisor):
    sup = supervisor({"worker": SLEEPER, "urgent worker": SLEEPER})
    pids = [sup.pid("worker"), sup.pid("urgent worker")]
    sup.stop(timeout=5)
    assert not any(alive(pid) for pid in pids)  # ended and reaped, no zombie left
    time.sleep(0.3)
    assert sup.pid("worker") is None  # and not started again


def test_a_worker_that_keeps_dying_is_restarted_with_a_growing_pause(supervisor):
    sup = supervisor({"worker": CRASHER}, backoff=0.2, backoff_max=5)
    time.sleep(2.5)
    # Pauses 0.2, 0.4, 0.8, 1.6 s: about four restarts in 2.5 s, not dozens.
    assert 2 <= sup.restarts("worker") <= 5
