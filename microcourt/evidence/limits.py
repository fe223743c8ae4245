"""What a party may submit as evidence, and how large each kind may be.

The type is sniffed from the content (never the name); the limit depends on the sniffed kind,
so it is known after the first chunk. The upload guard (``core/upload_guard.py``, routes in
``microcourt/upload_routes.py``) applies it while the body arrives, before the view runs; the
store applies it again while it hashes: an oversized upload is never read to the end and
nothing of it is stored."""

from __future__ import annotations

import magic
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from microcourt.core import filekinds, uploads
from microcourt.core.errors import InvalidInput

from .models import Kind

MB = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_OF_MIME = {
    "image/jpeg": Kind.IMAGE,
    "image/png": Kind.IMAGE,
    "image/webp": Kind.IMAGE,
    "image/gif": Kind.IMAGE,
    "application/pdf": Kind.DOCUMENT,
    uploads.DOCX: Kind.DOCUMENT,
    XLSX: Kind.DOCUMENT,
    "audio/mpeg": Kind.AUDIO,
    "audio/mp4": Kind.AUDIO,
    "audio/x-m4a": Kind.AUDIO,
    "audio/ogg": Kind.AUDIO,
    "audio/webm": Kind.AUDIO,
    "audio/wav": Kind.AUDIO,
    "audio/x-wav": Kind.AUDIO,
    "video/mp4": Kind.VIDEO,
    "video/webm": Kind.VIDEO,
    # Exported chat records as text (a PDF export is a document). Not HTML: a page could
    # carry scripts, and a PDF or screenshots of the chat say the same.
    "text/plain": Kind.CHAT,
}
ALLOWED = frozenset(KIND_OF_MIME)
EXTENSION = {
    "image/gif": "gif",
    XLSX: "xlsx",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "text/plain": "txt",
    "text/html": "html",  # chat exports stored before HTML was refused keep their name
}
SNIFF_BYTES = 8192


def limit_for(kind: str) -> int:
    """The kind's limit from settings (EVIDENCE_MAX_<KIND>_MB, see settings/base.py)."""
    return int(getattr(settings, f"EVIDENCE_MAX_{kind.upper()}_MB")) * MB


def largest_limit() -> int:
    return max(limit_for(k) for k in Kind.values)


def too_large(field: str, max_bytes: int) -> InvalidInput:
    return uploads.TooLarge(
        _("文件太大"), fields={field: _("此类文件不能超过 %(mb)s MB") % {"mb": max_bytes // MB}}
    )


def limit_for_head(head: bytes) -> int:
    """The limit for a file whose content starts with ``head`` (the upload guard asks it
    while the body arrives); a type that is not accepted gets the largest limit here and is
    refused by its type once it is stored or read."""
    mime = magic.from_buffer(head[:SNIFF_BYTES], mime=True)
    kind = KIND_OF_MIME.get(mime)
    return limit_for(kind) if kind else largest_limit()


def classify(upload, *, field: str = "file") -> tuple[str, str]:
    """``(mime, kind)`` of an upload from its first bytes, refusing it before it is read
    further when its kind's limit is already passed by its size."""
    uploads.require(upload, field=field, max_bytes=largest_limit())
    mime = uploads.sniff(upload, field=field, allowed=ALLOWED)
    kind = KIND_OF_MIME[mime]
    size = getattr(upload, "size", None)
    if size and size > limit_for(kind):
        raise too_large(field, limit_for(kind))
    return mime, kind


# What the file input offers to pick (the server decides by the content, not by these).
ACCEPT = "image/*,.pdf,.docx,.xlsx,.mp3,.m4a,.ogg,.webm,.wav,.mp4,.txt"
# A browser's claim of a file's type, by its start, to the kind whose limit it checks first.
BROWSER_KIND = {
    "image/": Kind.IMAGE,
    "application/": Kind.DOCUMENT,
    "text/": Kind.CHAT,
    "audio/": Kind.AUDIO,
    "video/": Kind.VIDEO,
}


def accepted() -> str:
    """What a party may submit, as people name it: "图片 JPG/PNG/WebP/GIF、PDF、Word 文档…"."""
    return filekinds.describe(ALLOWED)


def limits_told() -> list[tuple[str, int]]:
    """Each kind's label and limit in bytes, smallest first, to tell before an upload."""
    rows = [(str(Kind(k).label), limit_for(k)) for k in Kind.values]
    return sorted(rows, key=lambda row: row[1])


def browser_limits() -> dict[str, int]:
    """For the page's size check before sending: the limit by the start of the type the
    browser reports (``data-max-bytes-by-type``); anything else gets ``largest_limit``."""
    return {prefix: limit_for(kind) for prefix, kind in BROWSER_KIND.items()}
