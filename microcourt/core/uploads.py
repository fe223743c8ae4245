"""Uploads: content sniffed, size-limited while streaming, stored content-addressed.

A file is stored under its SHA-256 before anything acknowledges it, so what a user
submitted is never lost and never silently changed; an upload over the limit stops at the
limit and stores nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import magic
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})
DOCUMENTS = IMAGES | {"application/pdf"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What a party may file: photos and scans, PDFs, Word documents.
FILED_DOCUMENTS = DOCUMENTS | {DOCX}
CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime: str
    path: str

    @property
    def digest(self) -> str:
        """The form the ledger uses for a subject digest."""
        return f"sha256:{self.sha256}"


def read_limited(upload, *, field: str, max_bytes: int) -> bytes:
    """Read an uploaded file, stopping as soon as it passes ``max_bytes``."""
    if upload is None:
        raise InvalidInput(_("请选择要上传的文件"), fields={field: _("请选择文件")})
    if getattr(upload, "size", None) and upload.size > max_bytes:
        raise _too_large(field, max_bytes)
    chunks, total = [], 0
    for chunk in upload.chunks(CHUNK) if hasattr(upload, "chunks") else [upload.read()]:
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(field, max_bytes)
        chunks.append(chunk)
    if total == 0:
        raise InvalidInput(_("上传的文件是空的"), fields={field: _("文件为空")})
    return b"".join(chunks)


def sniff(data: bytes, *, field: str, allowed: frozenset[str]) -> str:
    """The real type of the content (never the name or the browser's claim)."""
    mime = magic.from_buffer(data[:8192], mime=True)
    if mime not in allowed:
        kinds = "、".join(sorted(a.split("/")[1].upper() for a in allowed))
        raise InvalidInput(
            _("文件类型不支持"),
            fields={
                field: _("只接受 %(kinds)s 文件（检测到 %(mime)s）")
                % {"kinds": kinds, "mime": mime}
            },
        )
    return mime


def store(data: bytes, *, mime: str, prefix: str) -> StoredFile:
    """Store bytes under their SHA-256 (idempotent: the same content is stored once)."""
    digest = hashlib.sha256(data).hexdigest()
    extension = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/webp": "webp",
        "application/pdf": "pdf",
        DOCX: "docx",
    }.get(mime, "bin")
    path = f"{prefix}/{digest[:2]}/{digest}.{extension}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(data))
        if saved != path:  # a storage that renames would break content addressing
            raise RuntimeError(f"storage saved {path!r} as {saved!r}")
    return StoredFile(sha256=digest, size=len(data), mime=mime, path=path)


def _too_large(field: str, max_bytes: int) -> InvalidInput:
    megabytes = max_bytes // (1024 * 1024)
    return InvalidInput(
        _("文件太大"), fields={field: _("文件不能超过 %(mb)s MB") % {"mb": megabytes}}
    )
