"""Running ffmpeg, ffprobe and janus-pp-rec as children: at low CPU and I/O priority (a
recording must never slow the hearings going on), each killed with its whole process group
when the job's time budget is spent (as core/pdf.py does for renders)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from microcourt.core import fonts

TIME_ZONE = "Asia/Shanghai"


class MediaFailed(Exception):
    """A media step did not produce its result. ``reason``: ``timeout``, ``missing`` (a
    program or an input is not there), ``failed`` (the program failed), ``invalid`` (its
    output is not what a recording must be). ``detail`` is for the log and the record."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


class Budget:
    """Wall-clock seconds shared by every step of one job."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        package = "janus-tools" if name == "janus-pp-rec" else "ffmpeg"
        raise MediaFailed("missing", f"`{name}` is not installed (Debian package {package})")
    return path


def _low_priority() -> list[str]:
    prefix = []
    if shutil.which("ionice"):
        prefix += ["ionice", "-c", "3"]  # idle I/O class
    if shutil.which("nice"):
        prefix += ["nice", "-n", "15"]
    return prefix


def font_path() -> str:
    """WenQuanYi Micro Hei (Debian fonts-wqy-microhei), so Chinese labels render."""
    try:
        return fonts.cjk_font_path()
    except fonts.FontMissing:
        raise MediaFailed("missing", "the font WenQuanYi Micro Hei (fonts-wqy-microhei)") from None


def run(
    argv: list[str],
    *,
    budget: Budget,
    cwd: Path | None = None,
    on_line: Callable[[str], None] | None = None,
) -> str:
    """Run ``argv`` at low priority; its stdout. ``MediaFailed("timeout")`` when the budget
    runs out (the child and its children are killed), ``MediaFailed("failed")`` on a
    non-zero exit. ``on_line`` gets each stdout line as it comes (ffmpeg ``-progress``)."""
    remaining = budget.remaining()
    if remaining <= 0:
        raise MediaFailed("timeout", f"no time left for {Path(argv[0]).name}")
    env = {**os.environ, "TZ": TIME_ZONE, "LC_ALL": "C.UTF-8"}
    child = subprocess.Popen(  # noqa: S603 - our own argv, no shell
        [*_low_priority(), *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)

    timer = threading.Timer(remaining, kill)
    timer.daemon = True
    timer.start()
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(child.stderr.read()), daemon=True)
    reader.start()
    out: list[str] = []
    try:
        for raw in child.stdout:
            line = raw.decode(errors="replace")
            out.append(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        child.wait()
    finally:
        timer.cancel()
        if child.poll() is None:
            kill()
            child.wait()
        reader.join(timeout=5)
    stderr = b"".join(errors)[-1500:].decode(errors="replace")
    name = Path(argv[0]).name
    if timed_out.is_set():
        raise MediaFailed("timeout", f"{name} stopped after {budget.seconds:.0f} s budget")
    if child.returncode != 0:
        raise MediaFailed("failed", f"{name} exited {child.returncode}: {stderr.strip()}")
    return "".join(out)


def probe(path: Path, *, budget: Budget) -> dict:
    """ffprobe's format and streams of ``path``."""
    out = run(
        [
            program("ffprobe"),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        budget=budget,
    )
    try:
        return json.loads(out)
    except ValueError as exc:
        raise MediaFailed("invalid", f"ffprobe of {path.name}: {exc}") from exc


def duration_of(info: dict) -> float:
    try:
        return float(info.get("format", {}).get("duration") or 0.0)
    except ValueError:
        return 0.0


def kinds_of(info: dict) -> set[str]:
    return {s.get("codec_type") for s in info.get("streams", [])}
