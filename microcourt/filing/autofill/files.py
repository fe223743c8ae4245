"""Uploaded files to text: a PDF's text layer first, OCR only for pages that have none (a
scan), and photos of ID cards and business licences through the assist readers.

Every refusal names the field ``file``, the wizard's one upload field, whatever reader was
behind it. Nothing is stored here; the caller has stored the upload before calling."""

from __future__ import annotations

import io
import logging
import statistics
import threading
import time
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _
from PIL import Image

from microcourt.assist import idcard
from microcourt.assist.ocr import (
    OCR_MAX_SIDE,
    OcrEngine,
    OcrLine,
    decode_image,
    get_engine,
    group_rows,
    usable_line,
)
from microcourt.core.errors import DomainError, InvalidInput, Unprocessable

from .results import ComplaintGuess, PartyGuess
from .text import parse_complaint_text

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PDF_TYPE = "application/pdf"
# A complaint is a few pages; anything after this is attached evidence, and each scanned page
# costs one to two seconds of OCR on a small server.
MAX_PAGES = 20
# A page's text layer shorter than this is a scan's stray marks (a page number), not text.
MIN_PAGE_TEXT = 20
# 2× is 144 dpi for a page in points, enough for 10.5 pt print; capped so that a page with a
# giant media box cannot become a giant bitmap.
RENDER_SCALE = 2.0
# PDFium is not thread-safe; web workers with threads must not render two pages at once.
_PDFIUM = threading.Lock()


def _file_error(exc: type[DomainError], message, reason, code: str) -> DomainError:
    return exc(message, code=code, fields={"file": reason})


def _as_file_error(error: DomainError) -> DomainError:
    """The assist readers name their field ``image``; here the upload is ``file``."""
    if "image" in error.fields and "file" not in error.fields:
        fields = {"file" if k == "image" else k: v for k, v in error.fields.items()}
        return type(error)(error.message, code=error.code, fields=fields)
    return error


def _require_content(data: bytes) -> None:
    if not data:
        raise _file_error(InvalidInput, _("上传的文件是空的。"), _("文件为空。"), "file_empty")


# --- identity documents ------------------------------------------------------------------


def party_from_id_card(
    image: bytes, *, side: str = "", engine: OcrEngine | None = None
) -> PartyGuess:
    """A natural person from a photo of the portrait side of a resident ID card."""
    _require_content(image)
    try:
        card = idcard.read_id_card_front(image, engine=engine)
    except DomainError as exc:
        raise _as_file_error(exc) from None
    return PartyGuess(
        side=side,  # type: ignore[arg-type]
        kind="natural",
        name=card.name,
        gender=card.gender,
        birth_date=card.birth_date,
        ethnicity=f"{card.ethnicity}族" if card.ethnicity else "",
        id_number=card.id_number,
        address=card.address,
        confidence=card.confidence,
        issues=card.issues,
    )


def party_from_business_licence(
    image: bytes, *, side: str = "", engine: OcrEngine | None = None
) -> PartyGuess:
    """A company (or another organisation) from a photo of its business licence."""
    _require_content(image)
    try:
        licence = idcard.read_business_licence(image, engine=engine)
    except DomainError as exc:
        raise _as_file_error(exc) from None
    # Partnerships and sole traders print 执行事务合伙人/经营者 instead of a 法定代表人:
    # they are "other organisations" in procedure law, not legal persons.
    kind = "other" if any(w in licence.kind for w in ("合伙", "个体", "分公司")) else "legal"
    return PartyGuess(
        side=side,  # type: ignore[arg-type]
        kind=kind,
        name=licence.name,
        address=licence.address,
        uscc=licence.uscc,
        legal_representative=licence.legal_representative,
        confidence=licence.confidence,
        issues=licence.issues,
    )


# --- complaints --------------------------------------------------------------------------


@dataclass
class _Reading:
    """Text gathered from a file, page by page, and the OCR scores that back it."""

    pages: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    ocr_pages: int = 0
    issues: list[str] = field(default_factory=list)


def _ocr_text(lines: list[OcrLine], reading: _Reading) -> str:
    usable = [line for line in lines if usable_line(line)]
    reading.scores.extend(line.score for line in usable)
    reading.ocr_pages += 1
    # One printed line per text line: the parser uses line starts to find numbered items.
    return "\n".join(row.text for row in group_rows(usable))


def _ocr_image(image: Image.Image, engine: OcrEngine) -> list[OcrLine]:
    read_image = getattr(engine, "read_image", None)
    if read_image is not None:
        return read_image(image)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return engine.read(buffer.getvalue())


def _unreadable_pdf(reason=None) -> Unprocessable:
    return _file_error(
        Unprocessable,
        _("无法读取这个 PDF 文件，请上传未加密、未损坏的 PDF，或上传起诉状照片。"),
        reason or _("PDF 文件已损坏或格式不正确。"),
        "pdf_unreadable",
    )


def _read_pdf(data: bytes, engine: OcrEngine | None, reading: _Reading) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip()[:5] == b"%PDF-":
        raise _unreadable_pdf(_("这不是 PDF 文件。"))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _file_error(
                Unprocessable,
                _("这个 PDF 文件设置了密码，请上传未加密的文件。"),
                _("PDF 文件已加密。"),
                "pdf_encrypted",
            )
        count = len(reader.pages)
        texts = [(reader.pages[i].extract_text() or "") for i in range(min(count, MAX_PAGES))]
    except DomainError:
        raise
    # pypdf signals a broken file through its own errors and, for odd structures, plain
    # Python ones; to the user both mean "this file cannot be read".
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, OSError, RecursionError):
        raise _unreadable_pdf() from None
    if count == 0:
        raise _unreadable_pdf()
    if count > MAX_PAGES:
        reading.issues.append("pages_truncated")

    scanned = [i for i, text in enumerate(texts) if len("".join(text.split())) < MIN_PAGE_TEXT]
    rendered = _render_pages(data, scanned) if scanned else {}
    for i, text in enumerate(texts):
        if i in rendered:
            lines = _ocr_image(rendered[i], engine or get_engine())
            reading.pages.append(_ocr_text(lines, reading))
        else:
            reading.pages.append(text)


def _render_pages(data: bytes, indexes: list[int]) -> dict[int, Image.Image]:
    import pypdfium2 as pdfium

    images = {}
    try:
        with _PDFIUM:
            document = pdfium.PdfDocument(data)
            try:
                for i in indexes:
                    page = document[i]
                    width, height = page.get_size()
                    scale = min(RENDER_SCALE, OCR_MAX_SIDE / max(width, height, 1))
                    images[i] = page.render(scale=scale).to_pil().convert("RGB")
                    page.close()
            finally:
                document.close()
    except pdfium.PdfiumError:
        raise _unreadable_pdf() from None
    return images


def complaint_from_file(
    data: bytes, mime: str, *, engine: OcrEngine | None = None
) -> ComplaintGuess:
    """A complaint (起诉状, 上诉状, 申请书) read from a photo or a PDF and parsed.

    ``mime`` is the type the caller determined for the stored upload. Raises
    ``InvalidInput``/``Unprocessable`` naming ``file`` for an empty, unsupported, encrypted or
    unreadable file, and when nothing in it looks like a complaint."""
    _require_content(data)
    mime = mime.split(";", 1)[0].strip().lower()
    reading = _Reading()
    started = time.perf_counter()
    if mime == PDF_TYPE:
        _read_pdf(data, engine, reading)
    elif mime in IMAGE_TYPES:
        try:
            image = decode_image(data)
        except DomainError as exc:
            raise _as_file_error(exc) from None
        reading.pages.append(_ocr_text(_ocr_image(image, engine or get_engine()), reading))
    else:
        raise _file_error(
            InvalidInput,
            _("不支持这种文件类型，请上传 PDF 文件或 JPG、PNG、WebP 照片。"),
            _("文件类型不受支持。"),
            "file_type",
        )
    # Sizes and timings only: the text holds ID numbers and addresses.
    log.debug(
        "complaint auto-fill: %d pages (%d by OCR) in %.0f ms",
        len(reading.pages),
        reading.ocr_pages,
        (time.perf_counter() - started) * 1000,
    )
    guess = parse_complaint_text(
        "\n".join(reading.pages), source="ocr" if reading.ocr_pages else "text_pdf"
    )
    if not guess.parties and not guess.claims:
        raise _file_error(
            Unprocessable,
            _("没有从文件中识别到起诉状内容，请上传清晰的起诉状，或直接填写。"),
            _("没有识别到当事人或诉讼请求。"),
            "complaint_unreadable",
        )
    confidence = guess.confidence
    if reading.scores:
        confidence *= statistics.fmean(reading.scores)
    return replace(guess, confidence=round(confidence, 2), issues=(*guess.issues, *reading.issues))
