"""The national emblem (国徽) over the courtroom (《国徽法》第四条: courts hang it). Only the
official standard artwork will do, so it is configuration (``COURT_EMBLEM_FILE``), not a
file we ship; without it the header shows the State's name in text."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".webp": "image/webp"}

log = logging.getLogger("microcourt.hearings")


def emblem_file() -> tuple[Path, str] | None:
    """The configured emblem and its content type; None when unset, missing or of a type
    a browser would not show as an image (logged, so the operator learns why it is absent)."""
    configured = getattr(settings, "COURT_EMBLEM_FILE", "")
    if not configured:
        return None
    path = Path(configured)
    kind = TYPES.get(path.suffix.lower())
    if kind is None or not path.is_file():
        log.warning(
            "COURT_EMBLEM_FILE %s is %s: the courtroom shows the State's name in text",
            configured,
            "not a file" if kind else "not .svg, .png or .webp",
        )
        return None
    return path, kind
