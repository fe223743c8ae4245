"""Uploads: content sniffed, size-limited while streaming, stored content-addressed.

An upload is never held in memory as a whole: Django spools a large body to a temporary
file (``FILE_UPLOAD_MAX_MEMORY_SIZE``), and ``store`` reads it in chunks, computing its
SHA-256 on the way and stopping at the limit, then hands the file to the storage under its
digest. A file is stored before anything acknowledges it, so what a user submitted is never
lost and never silently changed; an upload over the limit stores nothing.

Only small files a caller really needs as bytes (an ID photo for OCR) are read whole, with a
bound (``read_limited``, ``read_stored``). Documents the server itself produced (a PDF it
rendered) may be stored from bytes.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from typing import IO, Any

import magic
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from . import filekinds
from .errors import InvalidInput

IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})
DOCUMENTS = IMAGES | {"application/pdf"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What a party may file: photos and scans, PDFs, Word documents.
FILED_DOCUMENTS = DOCUMENTS | {DOCX}
CHUNK = 256 * 1024
SNIFF_BYTES = 8192
MB = 1024 * 1024
EXTENSION = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    DOCX: "docx",
}


class TooLarge(InvalidInput):
    """413: the upload is over its limit (nothing of it is stored)."""

    status = 413
    code = "too_large"


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


def too_large(field: str, max_bytes: int) -> TooLarge:
    return TooLarge(
        _("文件太大"), fields={field: _("文件不能超过 %(mb)s MB") % {"mb": megabytes(max_bytes)}}
    )


def require(upload, *, field: str, max_bytes: int | None = None) -> None:
    """Refuse a missing upload, and one whose known size is empty or over ``max_bytes``."""
    if upload is None:
        raise InvalidInput(_("请选择要上传的文件"), fields={field: _("请选择文件")})
    size = getattr(upload, "size", None)
    if size == 0:
        raise _empty(field)
    if max_bytes is not None and size and size > max_bytes:
        raise too_large(field, max_bytes)


def read_limited(upload, *, field: str, max_bytes: int) -> bytes:
    """A small upload as bytes (an ID photo for OCR), read up to ``max_bytes`` and no further.
    Anything that is stored goes through ``store`` instead."""
    require(upload, field=field, max_bytes=max_bytes)
    _rewind(upload)
    chunks, total = [], 0
    for chunk in _chunks(upload):
        total += len(chunk)
        if total > max_bytes:
            raise too_large(field, max_bytes)
        chunks.append(chunk)
    if total == 0:
        raise _empty(field)
    return b"".join(chunks)


def head(source, size: int = SNIFF_BYTES) -> bytes:
    """The first bytes of an upload (for sniffing), leaving it at its start."""
    if isinstance(source, bytes | bytearray):
        return bytes(source[:size])
    if not _seekable(source) and hasattr(source, "chunks"):
        # Django's chunks() starts from the beginning each time it is called.
        return next(iter(source.chunks(CHUNK)), b"")[:size]
    _rewind(source)
    data = _raw(source).read(size)
    _rewind(source)
    return data


def sniff(source, *, field: str, allowed: frozenset[str]) -> str:
    """The real type of the content (never the name or the browser's claim), from its first
    bytes; ``source`` is an upload, a file or bytes."""
    mime = magic.from_buffer(head(source), mime=True)
    if mime not in allowed:
        raise InvalidInput(
            _("文件类型不支持"),
            fields={
                field: _("只接受 %(kinds)s（这个文件是 %(mime)s）")
                % {"kinds": filekinds.describe(allowed), "mime": filekinds.name(mime)}
            },
        )
    return mime


def accept(
    upload, *, field: str, allowed: frozenset[str], max_bytes: int, prefix: str
) -> StoredFile:
    """The usual sequence for an upload that is kept: present, within the limit, of an
    allowed type, stored under its SHA-256."""
    require(upload, field=field, max_bytes=max_bytes)
    mime = sniff(upload, field=field, allowed=allowed)
    return store(upload, mime=mime, prefix=prefix, field=field, max_bytes=max_bytes)


def store(
    source,
    *,
    mime: str,
    prefix: str,
    field: str = "file",
    max_bytes: int | None = None,
    extension: str | None = None,
) -> StoredFile:
    """Store an upload, a file or bytes under its SHA-256 (idempotent: the same content is
    stored once). A file is read in chunks, hashed on the way and stopped past ``max_bytes``;
    one that cannot be read twice is first copied to a temporary file while it is hashed."""
    if isinstance(source, bytes | bytearray):
        digest, size = hashlib.sha256(source).hexdigest(), len(source)
        return _save(digest, size, mime, prefix, extension, lambda: ContentFile(bytes(source)))
    if _seekable(source):
        _rewind(source)
        digest, size = _hash(_chunks(source), field, max_bytes)
        _rewind(source)
        return _save(digest, size, mime, prefix, extension, lambda: _as_file(source))
    with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as spool:
        digest, size = _hash(_chunks(source), field, max_bytes, copy_to=spool)
        spool.seek(0)
        return _save(digest, size, mime, prefix, extension, lambda: File(spool))


def read_stored(path: str, *, max_bytes: int, field: str = "file") -> bytes:
    """A stored file as bytes, for a caller that needs them (OCR of a small photo); refuses
    a file over ``max_bytes`` instead of reading it."""
    with default_storage.open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(field, max_bytes)
    return data


def _save(digest, size, mime, prefix, extension, content) -> StoredFile:
    extension = extension or EXTENSION.get(mime, "bin")
    path = f"{prefix}/{digest[:2]}/{digest}.{extension}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, content())
        if saved != path:
            # The same content arrived twice at once: the other copy stands, this one goes
            # (a storage that renames would otherwise break content addressing).
            default_storage.delete(saved)
            if not default_storage.exists(path):
                raise RuntimeError(f"storage saved {path!r} as {saved!r}")
    return StoredFile(sha256=digest, size=size, mime=mime, path=path)


def _hash(chunks, field: str, max_bytes: int | None, copy_to: IO[bytes] | None = None):
    sha, total = hashlib.sha256(), 0
    for chunk in chunks:
        total += len(chunk)
        if max_bytes is not None and total > max_bytes:
            raise too_large(field, max_bytes)
        sha.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    if total == 0:
        raise _empty(field)
    return sha.hexdigest(), total


def _chunks(source):
    if hasattr(source, "chunks"):
        yield from source.chunks(CHUNK)
        return
    raw = _raw(source)
    while chunk := raw.read(CHUNK):
        yield chunk


def _raw(source) -> Any:
    return getattr(source, "file", None) or source


def _seekable(source) -> bool:
    try:
        return bool(_raw(source).seekable())
    except (AttributeError, ValueError):
        return False


def _rewind(source) -> None:
    if _seekable(source):
        _raw(source).seek(0)


def _as_file(source) -> File:
    """The upload as the storage wants it. Not the upload itself: a file-system storage
    would move a temporary upload away under the request that still owns it."""
    _rewind(source)
    return File(_raw(source))


def _empty(field: str) -> InvalidInput:
    return InvalidInput(_("上传的文件是空的"), fields={field: _("文件为空")})


def megabytes(max_bytes: int) -> str:
    mb = max_bytes / MB
    return str(int(mb)) if mb >= 1 and mb == int(mb) else f"{mb:.1f}".rstrip("0").rstrip(".")
