"""The heavy job of ``benchmarks.urgent``: importable by the worker processes it starts."""

from __future__ import annotations

import hashlib
import time

from django_tasks import task


@task()
def slow_render(seconds: float) -> int:
    """Busy the worker's CPU for ``seconds``, as a large DOCX preview or PDF render does."""
    stop, rounds, digest = time.monotonic() + seconds, 0, b"x"
    while time.monotonic() < stop:
        for _ in range(2000):
            digest = hashlib.sha256(digest).digest()
        rounds += 1
    return rounds
