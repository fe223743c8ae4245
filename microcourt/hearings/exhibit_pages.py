"""One page of the exhibit on screen in the courtroom, as a picture (run in the preview
sandbox, ``core/sandbox.py``: no Django here).

The evidence app previews a PDF's first page only; the judge shows an exhibit at any page
(issue 16 §4, page-synchronised), so the page the judge set is rendered here, with the same
guards as the evidence preview (a scale within the pixel limit; the sandbox's memory and time
limits)."""

from __future__ import annotations

import base64
import io

from microcourt.core.sandbox import Refused

PAGE_SCALE = 1.2  # about 86 dpi: readable on a phone and on a desktop panel
MAX_SIDE = 1400


def render_page(*, path: str, page: int, max_pixels: int) -> dict:
    """``{"jpeg": base64, "pages": n}`` for page ``page`` (1-based) of the PDF at ``path``."""
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(path)
    try:
        count = len(pdf)
        if not 1 <= page <= count:
            raise Refused("no_such_page")
        pdf_page = pdf[page - 1]
        width, height = pdf_page.get_size()
        scale = PAGE_SCALE
        if width * height * scale * scale > max_pixels:
            scale = (max_pixels / (width * height)) ** 0.5
        image = pdf_page.render(scale=scale).to_pil()
    finally:
        pdf.close()
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=80)
    return {"jpeg": base64.b64encode(out.getvalue()).decode(), "pages": count}
