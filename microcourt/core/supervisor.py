"""Child processes kept running: ``microcourt serve`` starts its task workers through this and
restarts one that dies (a crash, the out-of-memory killer, a database it could not reach),
after a backoff that doubles with each quick death (1 s, 2 s, 4 s … at most 60 s) and starts
again from 1 s once a child has stayed up for a minute. Every exit and restart is logged."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

log = logging.getLogger("microcourt.serve")


@dataclass
class _Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    quick_deaths: int = 0
    restart_at: float = 0.0
    restarts: int = 0
    quiet: bool = False  # its output goes nowhere (a program with a log file of its own)


class Supervisor:
    def __init__(
        self,
        programs: Mapping[str, Sequence[str]],
        *,
        backoff: float = 1.0,
        backoff_max: float = 60.0,
        stable_after: float = 60.0,
        poll: float = 0.5,
        quiet: Collection[str] = (),
    ) -> None:
        self.children = {
            name: _Child(name, list(argv), quiet=name in quiet) for name, argv in programs.items()
        }
        self.backoff, self.backoff_max = backoff, backoff_max
        self.stable_after, self.poll = stable_after, poll
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        for child in self.children.values():
            self._spawn(child)
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self._thread.start()

    def pid(self, name: str) -> int | None:
        process = self.children[name].process
        return process.pid if process is not None and process.poll() is None else None

    def restarts(self, name: str) -> int:
        return self.children[name].restarts

    def _spawn(self, child: _Child) -> None:
        output = subprocess.DEVNULL if child.quiet else None
        child.process = subprocess.Popen(  # noqa: S603 - our own argv
            child.argv, stdout=output, stderr=output
        )
        child.started = time.monotonic()
        log.info("started %s (pid %d)", child.name, child.process.pid)

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            with self._lock:
                if self._stop.is_set():
                    return
                now = time.monotonic()
                for child in self.children.values():
                    self._check(child, now)

    def _check(self, child: _Child, now: float) -> None:
        if child.process is not None:
            code = child.process.poll()
            if code is None:
                return
            lived = now - child.started
            child.quick_deaths = 0 if lived >= self.stable_after else child.quick_deaths + 1
            delay = min(self.backoff_max, self.backoff * 2 ** max(0, child.quick_deaths - 1))
            log.error(
                "%s (pid %d) exited with code %s after %.0f s; restarting in %.0f s",
                child.name,
                child.process.pid,
                code,
                lived,
                delay,
            )
            child.process = None
            child.restart_at = now + delay
        if now >= child.restart_at:
            self._spawn(child)
            child.restarts += 1

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching, then ask each child to stop (SIGTERM: a worker finishes its task),
        killing one that is still there after ``timeout``."""
        with self._lock:
            self._stop.set()
        running = [c.process for c in self.children.values() if c.process is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
