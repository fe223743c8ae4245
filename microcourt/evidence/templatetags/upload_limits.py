"""What an upload form tells before anything is sent: the kinds of file it takes, as people
name them, and how large each may be — with the numbers the server enforces, so the page
and the refusal never disagree. ``{% upload_limits "evidence" as up %}`` gives

- ``up.accepted``: "图片 JPG/PNG/WebP/GIF、PDF、Word 文档…";
- ``up.told``: "图片 20 MB、文档 50 MB…" (or one figure);
- ``up.max_bytes`` and ``up.by_type`` (JSON): for the file input's ``data-max-bytes`` and
  ``data-max-bytes-by-type``, read by ``static/shell/upload-limit.js`` before sending.
"""

from __future__ import annotations

import json

from django import template
from django.conf import settings

from microcourt.core import filekinds, uploads
from microcourt.evidence import limits

register = template.Library()


def _mb(n: int) -> str:
    return f"{uploads.megabytes(n)} MB"


@register.simple_tag
def upload_limits(what: str) -> dict:
    if what == "evidence":
        return {
            "accepted": limits.accepted(),
            "told": filekinds.separator().join(
                f"{label} {_mb(n)}" for label, n in limits.limits_told()
            ),
            "max_bytes": limits.largest_limit(),
            "by_type": json.dumps(limits.browser_limits()),
            "accept": limits.ACCEPT,
        }
    if what == "filing":  # materials, and the complaint read for autofill
        largest = int(settings.FILING_MAX_UPLOAD_BYTES)
        return {
            "accepted": filekinds.describe(uploads.FILED_DOCUMENTS),
            "told": _mb(largest),
            "max_bytes": largest,
            "by_type": "{}",
            "accept": "image/*,application/pdf,.docx",
        }
    raise template.TemplateSyntaxError(f"upload_limits: unknown upload {what!r}")
