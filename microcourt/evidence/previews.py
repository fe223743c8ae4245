"""Previews: an image thumbnail, a PDF's first page, a Word document's opening text."""

from __future__ import annotations

import io
import logging

from django.core.files.storage import default_storage

from microcourt.core import uploads

from .models import Exhibit, PreviewStatus

log = logging.getLogger(__name__)
THUMBNAIL = (480, 480)
EXCERPT_CHARS = 400
PDF_SCALE = 0.6  # about 43 dpi: enough for a card, small to store


def make(exhibit: Exhibit) -> tuple[str, str, str]:
    """``(status, preview_path, preview_text)``; a file that cannot be previewed fails softly."""
    try:
        with default_storage.open(exhibit.path, "rb") as f:
            data = f.read()
        if exhibit.mime.startswith("image/"):
            return PreviewStatus.READY, _thumbnail(_open_image(data)), ""
        if exhibit.mime == "application/pdf":
            return PreviewStatus.READY, _thumbnail(_pdf_first_page(data)), ""
        if exhibit.mime == uploads.DOCX:
            return PreviewStatus.READY, "", _docx_excerpt(data)
        if exhibit.mime == "text/plain":
            return PreviewStatus.READY, "", data[:4000].decode("utf-8", "replace")[:EXCERPT_CHARS]
    except Exception:  # a broken file still is evidence; it just has no preview
        log.warning("preview failed for exhibit %s", exhibit.pk, exc_info=True)
        return PreviewStatus.FAILED, "", ""
    return PreviewStatus.NONE, "", ""


def _open_image(data: bytes):
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _pdf_first_page(data: bytes):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return pdf[0].render(scale=PDF_SCALE).to_pil()
    finally:
        pdf.close()


def _thumbnail(image) -> str:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail(THUMBNAIL)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return uploads.store(out.getvalue(), mime="image/jpeg", prefix="evidence/previews").path


def _docx_excerpt(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs if p.text.strip())
    return text[:EXCERPT_CHARS]
