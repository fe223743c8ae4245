"""Running our own Janus: ``microcourt serve`` hands :func:`managed_program` to its Supervisor
(restarted if it dies); the tests use :class:`JanusProcess`. Both use the configuration
directory config.py writes and wait until ``/janus/info`` answers."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from .config import JanusLayout, JanusSecrets, layout_from_settings, secrets_from_settings
from .config import write_config as write_config

log = logging.getLogger("microcourt.janus")


def binary(settings=None) -> str | None:
    if settings is None:
        from django.conf import settings
    return shutil.which(settings.JANUS_BINARY)


def info(api_url: str, timeout: float = 2.0) -> dict:
    """GET <api>/info (allowed without a token)."""
    with urllib.request.urlopen(api_url.rstrip("/") + "/info", timeout=timeout) as response:  # noqa: S310 - our setting
        return json.loads(response.read())


def wait_ready(api_url: str, *, timeout: float = 15.0, process: subprocess.Popen | None = None):
    """Wait until Janus answers /info with the VideoRoom plugin loaded; returns the info."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"janus exited with code {process.returncode} while starting")
        try:
            answer = info(api_url, timeout=1.0)
            if "janus.plugin.videoroom" in answer.get("plugins", {}):
                return answer
            last = RuntimeError("the VideoRoom plugin is not loaded")
        except OSError as exc:
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"Janus did not answer {api_url}/info within {timeout:.0f} s: {last}")


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def prepare(settings=None) -> tuple[JanusLayout, JanusSecrets, str | None]:
    """Set up the local media interface (when configured) and write the configuration.
    Returns the layout, the secrets and a plain warning line (or None)."""
    if settings is None:
        from django.conf import settings
    from . import network

    warning = network.prepare(settings)
    layout = layout_from_settings(settings)
    if warning and not settings.JANUS_ICE_ENFORCE:
        layout = replace(layout, ice_enforce="")  # Janus's own choice rather than nothing
    secrets = secrets_from_settings(settings)
    write_config(layout, secrets)
    return layout, secrets, warning


def managed_program(settings=None) -> tuple[list[str] | None, str | None]:
    """What ``microcourt serve`` runs under its Supervisor: (argv, None), or (None, one plain
    line saying why not) when Janus is not wanted, not installed or its ports are taken."""
    if settings is None:
        from django.conf import settings
    if not settings.JANUS_MANAGED:
        return None, None
    path = binary(settings)
    if path is None:
        return None, (
            "Janus (the hearings' media server) is not installed: hearing rooms will say that "
            "video is unavailable. Install it with `scripts/system-deps.sh run`."
        )
    layout, _secrets, warning = prepare(settings)
    busy = [p for p in (layout.http_port, layout.admin_port, layout.ws_port) if not port_free(p)]
    if busy:
        return None, (
            f"Janus not started: port {', '.join(map(str, busy))} on 127.0.0.1 is in use "
            "(another Janus or microcourt?). Set MICROCOURT_JANUS_API_URL, "
            "MICROCOURT_JANUS_ADMIN_URL and MICROCOURT_JANUS_WS_PORT to free ports."
        )
    return layout.argv(path), warning


class JanusProcess:
    """One Janus run from a configuration directory, stopped by its own PID."""

    def __init__(self, layout: JanusLayout, secrets: JanusSecrets, *, binary: str = "janus"):
        self.layout, self.secrets, self.binary = layout, secrets, binary
        self.process: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.layout.http_port}{self.layout.http_path}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.layout.admin_port}{self.layout.admin_path}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.layout.ws_port}/"

    @property
    def log_file(self) -> Path:
        return self.layout.log_file

    def start(self, timeout: float = 15.0) -> dict:
        write_config(self.layout, self.secrets)
        self.process = subprocess.Popen(  # noqa: S603 - our own argv
            self.layout.argv(self.binary),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            return wait_ready(self.api_url, timeout=timeout, process=self.process)
        except Exception as exc:
            self.stop()
            tail = self.log_tail()
            raise RuntimeError(f"{exc}\n--- {self.log_file} ---\n{tail}") from exc

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGINT)  # Janus's clean shutdown
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
