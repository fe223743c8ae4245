"""Untrusted content handled in a child process with a memory and a time limit.

Decoding what a user uploaded (a picture, a Word document, a PDF) can take gigabytes or
minutes for a small, hostile file: a PNG that declares 50000×50000 pixels, a zip bomb
dressed as a DOCX. Done in the worker or the web process it held the only worker and starved
everything queued behind it. Here the work runs in a fresh Python process whose address
space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``) are capped by the kernel and which is
killed past its wall-clock time: a hostile file fails alone, with a reason, and the caller
goes on.

The child imports only the function's module: it must not need Django (no settings, no
database connection). It gets keyword arguments as JSON and answers JSON; a function refuses
a file by raising ``Refused(reason)``.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys

log = logging.getLogger(__name__)

# The child: limits first (before any import that could allocate), then the function.
_CHILD = """
import importlib, json, resource, sys
job = json.loads(sys.stdin.buffer.read())
memory, seconds = job["memory"], job["seconds"]
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
def answer(result):
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
try:
    module, _, name = job["func"].rpartition(".")
    value = getattr(importlib.import_module(module), name)(**job["args"])
    answer({"ok": True, "value": value})
except MemoryError:
    answer({"ok": False, "reason": "memory"})
except Exception as exc:
    reason = getattr(exc, "reason", None) if type(exc).__name__ == "Refused" else None
    answer({"ok": False, "reason": reason or "unreadable", "detail": repr(exc)[:500]})
"""


class Refused(Exception):
    """Raised by a sandboxed function for a file it will not handle; ``reason`` is a code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Failed(Exception):
    """The sandboxed work did not produce a result. ``reason``: a ``Refused`` code, or
    ``memory`` (over the memory limit), ``timeout`` (over the time limit), ``unreadable``
    (the function failed on the content)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


def run(func: str, *, memory_mb: int, seconds: int, **kwargs):
    """``func(**kwargs)`` (a dotted path) in a child process; its JSON result or ``Failed``."""
    job = {"func": func, "args": kwargs, "memory": memory_mb * 1024 * 1024, "seconds": seconds}
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _CHILD],
            input=json.dumps(job).encode(),
            capture_output=True,
            timeout=seconds + 5,  # CPU time is capped in the child; this catches waiting
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise Failed("timeout") from None
    if done.returncode != 0 or not done.stdout:
        # Killed by the kernel at the CPU limit (SIGXCPU/SIGKILL), or died allocating.
        stderr = done.stderr[-1000:].decode(errors="replace")
        if done.returncode in (-24, -9, 152, 137) or "CPU time" in stderr:
            raise Failed("timeout", stderr)
        if "MemoryError" in stderr or "memory" in stderr.lower():
            raise Failed("memory", stderr)
        raise Failed("unreadable", f"exit {done.returncode}: {stderr}")
    result = json.loads(done.stdout)
    if not result["ok"]:
        raise Failed(result["reason"], result.get("detail", ""))
    return result["value"]
