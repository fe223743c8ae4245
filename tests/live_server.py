"""A real microcourt server for end-to-end tests: `microcourt serve` in its own process, on
its own SQLite data directory (Redis when the run has one), stopped with the test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "microcourt.cli"]


@dataclass(frozen=True)
class LiveServer:
    base: str
    env: dict[str, str]
    data: Path

    def run(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        """Another microcourt process on the same data directory."""
        return subprocess.run(
            [*CLI, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


@contextmanager
def live_server(
    data: Path, *, ready: str, worker: bool = True, demo: bool = False, **settings: str
) -> Iterator[LiveServer]:
    """Migrate (and load demo data), serve, wait until ``ready`` answers 200."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="microcourt.settings.dev",
        MICROCOURT_DATA_DIR=str(data),
        MICROCOURT_DEBUG="false",
        MICROCOURT_DEMO="true" if demo else "false",
        **settings,
    )
    steps = [["migrate", "--noinput"], *([["demo"]] if demo else [])]
    for step in steps:
        subprocess.run(
            [*CLI, *step], env=env, cwd=ROOT, check=True, capture_output=True, timeout=300
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = data / "server.log"
    with open(log_path, "w") as log:
        command = [*CLI, "serve", "--port", str(port), *([] if worker else ["--no-worker"])]
        proc = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline, up = time.monotonic() + 60, False
            while time.monotonic() < deadline and not up:
                try:
                    get(base + ready, timeout=2)
                    up = True
                except Exception:  # not up yet (or 503 until the worker's first heartbeat)
                    time.sleep(0.3)
            assert up, log_path.read_text()
            yield LiveServer(base=base, env=env, data=data)
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=20)
