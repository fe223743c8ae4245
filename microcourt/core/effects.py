"""Side effects after commit: the one helper every action uses (ARCHITECTURE §4.5)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction


def on_commit(
    fn: Callable[..., Any], /, *args: Any, using: str | None = None, **kwargs: Any
) -> None:
    """Run ``fn(*args, **kwargs)`` once the surrounding transaction commits (at once if
    there is none). A failing effect is logged and does not undo the committed write:
    effects are notifications, pushes and task enqueues, each of which can be retried."""
    callback = functools.partial(fn, *args, **kwargs)
    # Django names a failing robust callback by its __qualname__, which a bare partial lacks.
    functools.update_wrapper(callback, fn)
    transaction.on_commit(callback, using=using, robust=True)
