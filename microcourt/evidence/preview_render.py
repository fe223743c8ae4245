"""What runs in the preview's child process (``core/sandbox.py``): no Django here.

Each decoder is guarded before it touches the content: an image's declared size is checked
against the pixel limit before its pixels are decoded (and Pillow's own bomb limit is set to
it), a PDF page is rendered at a scale that keeps it within the limit, and a Word document's
zip directory (entry count, total uncompressed size, compression ratio) is checked before
anything is inflated. The sandbox's memory and time limits catch whatever these miss."""

from __future__ import annotations

import base64
import io
import zipfile

from microcourt.core.sandbox import Refused

THUMBNAIL = (480, 480)
EXCERPT_CHARS = 400
PDF_SCALE = 0.6  # about 43 dpi: enough for a card, small to store
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
MAX_ZIP_ENTRIES = 2000


def render(*, path: str, mime: str, max_pixels: int, max_unzipped: int, max_ratio: int) -> dict:
    """``{"jpeg": base64 thumbnail}`` or ``{"text": excerpt}`` for the file at ``path``."""
    if mime.startswith("image/"):
        return {"jpeg": _thumbnail(_image(path, max_pixels))}
    if mime == "application/pdf":
        return {"jpeg": _thumbnail(_pdf_first_page(path, max_pixels))}
    if mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        return {"text": _docx_excerpt(path, max_unzipped, max_ratio)}
    raise Refused("no_preview")


def _image(path: str, max_pixels: int):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow refuses (twice) past this, warns past it
    try:
        image = Image.open(path, formats=IMAGE_FORMATS)
    except Image.DecompressionBombError:
        raise Refused("too_many_pixels") from None
    width, height = image.size
    if width * height > max_pixels:
        raise Refused("too_many_pixels")
    image.draft("RGB", THUMBNAIL)  # JPEG decodes straight at 1/2 … 1/8 scale
    image.load()
    return image


def _pdf_first_page(path: str, max_pixels: int):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[0]
        width, height = page.get_size()  # points
        scale = PDF_SCALE
        if width * height * scale * scale > max_pixels:
            scale = (max_pixels / (width * height)) ** 0.5
        return page.render(scale=scale).to_pil()
    finally:
        pdf.close()


def _thumbnail(image) -> str:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)
    image.thumbnail(THUMBNAIL)
    image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return base64.b64encode(out.getvalue()).decode()


def check_zip(path: str, *, max_unzipped: int, max_ratio: int) -> None:
    """Refuse a zip whose directory promises more than it should inflate to: too many
    entries, too much in total, or a part compressed past ``max_ratio`` (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise Refused("unreadable") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise Refused("zip_bomb")
    total = 0
    for entry in entries:
        total += entry.file_size
        compressed = max(entry.compress_size, 1)
        if entry.file_size > 1024 * 1024 and entry.file_size / compressed > max_ratio:
            raise Refused("zip_bomb")
    if total > max_unzipped:
        raise Refused("zip_bomb")


def _docx_excerpt(path: str, max_unzipped: int, max_ratio: int) -> str:
    check_zip(path, max_unzipped=max_unzipped, max_ratio=max_ratio)
    import docx

    document = docx.Document(path)
    text = "\n".join(p.text for p in document.paragraphs if p.text.strip())
    return text[:EXCERPT_CHARS]
