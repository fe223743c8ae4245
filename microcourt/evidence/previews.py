"""Previews: an image thumbnail, a PDF's first page, a Word document's opening text.

Decoding runs in a child process with memory and time limits (``core/sandbox.py``, the
decoders in ``preview_render.py``): a hostile file (a decompression bomb, a picture of
billions of pixels, a zip bomb) fails alone with its reason and the worker goes on."""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator

from django.conf import settings
from django.core.files.storage import default_storage

from microcourt.core import sandbox, uploads

from .models import Exhibit, PreviewFailure, PreviewStatus

log = logging.getLogger(__name__)
EXCERPT_CHARS = 400
SANDBOXED = ("image/", "application/pdf", uploads.DOCX)
_REASONS = {
    "too_many_pixels": PreviewFailure.TOO_MANY_PIXELS,
    "zip_bomb": PreviewFailure.ZIP_BOMB,
    "memory": PreviewFailure.MEMORY,
    "timeout": PreviewFailure.TIMEOUT,
}


def make(exhibit: Exhibit) -> tuple[str, str, str, str]:
    """``(status, preview_path, preview_text, failure)``; a file that cannot be previewed
    fails softly, with the reason (``PreviewFailure``)."""
    try:
        if exhibit.mime == "text/plain":
            with default_storage.open(exhibit.path, "rb") as f:
                text = f.read(4000).decode("utf-8", "replace")[:EXCERPT_CHARS]
            return PreviewStatus.READY, "", text, ""
        if not exhibit.mime.startswith(SANDBOXED):
            return PreviewStatus.NONE, "", "", ""
        with _local_path(exhibit.path) as path:
            result = sandbox.run(
                "microcourt.evidence.preview_render.render",
                memory_mb=settings.PREVIEW_MAX_MEMORY_MB,
                seconds=settings.PREVIEW_TIMEOUT_SECONDS,
                path=path,
                mime=exhibit.mime,
                max_pixels=settings.PREVIEW_MAX_PIXELS,
                max_unzipped=settings.PREVIEW_MAX_UNZIPPED_MB * uploads.MB,
                max_ratio=settings.PREVIEW_MAX_ZIP_RATIO,
            )
    except sandbox.Failed as failed:
        log.warning("preview failed for exhibit %s: %s", exhibit.pk, failed)
        return PreviewStatus.FAILED, "", "", _REASONS.get(failed.reason, PreviewFailure.UNREADABLE)
    except OSError:  # the stored file is missing or unreadable: a fault to retry, not a reason
        log.warning("preview failed for exhibit %s", exhibit.pk, exc_info=True)
        return PreviewStatus.FAILED, "", "", PreviewFailure.UNREADABLE
    if "jpeg" in result:
        jpeg = base64.b64decode(result["jpeg"])
        stored = uploads.store(jpeg, mime="image/jpeg", prefix="evidence/previews")
        return PreviewStatus.READY, stored.path, "", ""
    return PreviewStatus.READY, "", result.get("text", ""), ""


@contextlib.contextmanager
def _local_path(name: str) -> Iterator[str]:
    """A path the child can open: the stored file itself on a file-system storage, else a
    temporary copy (streamed, never read whole)."""
    try:
        local = default_storage.path(name)
    except NotImplementedError:
        local = None
    if local is not None:
        yield local
        return
    fd, path = tempfile.mkstemp(dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        with os.fdopen(fd, "wb") as out, default_storage.open(name, "rb") as source:
            shutil.copyfileobj(source, out, uploads.CHUNK)
        yield path
    finally:
        os.unlink(path)
