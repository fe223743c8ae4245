"""What a party may submit as evidence, and how large each kind may be.

The type is sniffed from the content (never the name); the limit depends on the sniffed kind,
so it is known after the first chunk, and the read stops as soon as the limit is passed:
an oversized upload is never read to the end and nothing of it is stored."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from microcourt.core import uploads
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
    # Exported chat records (a PDF export is a document).
    "text/plain": Kind.CHAT,
    "text/html": Kind.CHAT,
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
    "text/html": "html",
}
SNIFF_BYTES = 8192


def limit_for(kind: str) -> int:
    """The kind's limit from settings (EVIDENCE_MAX_<KIND>_MB, see settings/base.py)."""
    return int(getattr(settings, f"EVIDENCE_MAX_{kind.upper()}_MB")) * MB


def largest_limit() -> int:
    return max(limit_for(k) for k in Kind.values)


def too_large(field: str, max_bytes: int) -> InvalidInput:
    return InvalidInput(
        _("文件太大"), fields={field: _("此类文件不能超过 %(mb)s MB") % {"mb": max_bytes // MB}}
    )


def read_evidence(upload, *, field: str = "file") -> tuple[bytes, str, str]:
    """``(data, mime, kind)``. Raises before reading further once the kind's limit is passed."""
    if upload is None:
        raise InvalidInput(_("请选择要上传的文件"), fields={field: _("请选择文件")})
    declared = getattr(upload, "size", None)
    if declared and declared > largest_limit():
        raise too_large(field, largest_limit())
    chunks: list[bytes] = []
    total = 0
    mime = kind = None
    limit = largest_limit()
    iterator = upload.chunks(uploads.CHUNK) if hasattr(upload, "chunks") else [upload.read()]
    for chunk in iterator:
        chunks.append(chunk)
        total += len(chunk)
        if mime is None and total >= SNIFF_BYTES:
            mime, kind, limit = _classify(b"".join(chunks), field)
            if declared and declared > limit:
                raise too_large(field, limit)
        if total > limit:
            raise too_large(field, limit)
    if total == 0:
        raise InvalidInput(_("上传的文件是空的"), fields={field: _("文件为空")})
    data = b"".join(chunks)
    if mime is None:
        mime, kind, limit = _classify(data, field)
        if total > limit:
            raise too_large(field, limit)
    return data, mime, kind


def _classify(head: bytes, field: str) -> tuple[str, str, int]:
    mime = uploads.sniff(head, field=field, allowed=ALLOWED)
    kind = KIND_OF_MIME[mime]
    return mime, kind, limit_for(kind)
