"""PDF mechanics behind ``actions``: reading a PDF safely, drawing the court's round red seal
and a signer's handwriting as appearances, choosing where each new signature goes, and
signing with pyHanko (PAdES, incremental update, time-stamped). No database access here."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.generic import ArrayObject
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.stamp import StaticStampStyle

from microcourt.core import fonts
from microcourt.core.errors import InvalidInput

SEAL_RED = (218, 16, 32, 255)
# Appearance boxes in PDF points (1/72 in). A real court seal is 4.2 cm across ≈ 119 pt.
MARGIN = 36
SEAL_SIZE = 120
SEAL_STEP = 130
SIGNATURE_BOX = (150, 60)
SIGNATURE_STEP = (160, 70)
SEAL_FIELD = "CourtSeal"
SIGNATURE_FIELD = "Signature"


# --- Reading ------------------------------------------------------------------------------------


def reader(data: bytes, *, field: str = "pdf") -> PdfFileReader:
    """A parsed PDF, or InvalidInput naming ``field``: not a PDF, broken, or encrypted."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput(_("请提供 PDF 文件。"), fields={field: _("文件为空")})
    if not bytes(data[:1024]).lstrip().startswith(b"%PDF-"):
        raise InvalidInput(_("文件不是 PDF。"), fields={field: _("只接受 PDF 文件")})
    try:
        pdf = PdfFileReader(io.BytesIO(bytes(data)))
        if pdf.encrypted:
            raise InvalidInput(
                _("加密的 PDF 无法签署或验证。"), fields={field: _("请提供未加密的 PDF")}
            )
        pages = int(pdf.root["/Pages"]["/Count"])
        if pages < 1:
            raise PdfError("no pages")
    except InvalidInput:
        raise
    except (PdfError, KeyError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise InvalidInput(
            _("PDF 文件已损坏，无法读取。"), fields={field: _("PDF 文件已损坏或格式不正确")}
        ) from error
    return pdf


def page_count(pdf: PdfFileReader) -> int:
    return int(pdf.root["/Pages"]["/Count"])


def _media_box(page) -> tuple[float, float, float, float]:
    node = page
    while node is not None:
        box = node.get("/MediaBox")
        if box is not None:
            return tuple(float(v) for v in box)  # type: ignore[return-value]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return (0.0, 0.0, 595.0, 842.0)  # A4 when a broken file names none


def signature_field_names(pdf: PdfFileReader) -> set[str]:
    return {name for name, _value, _ref in fields.enumerate_sig_fields(pdf, filled_status=None)}


# --- Placement ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    field_name: str
    page: int  # 0-based
    box: tuple[int, int, int, int]


def place(pdf: PdfFileReader, *, seal: bool) -> Placement:
    """Where the next seal or signature goes on the last page: seals from the bottom-right
    corner leftwards, signatures in a grid from the bottom-left upwards (left of the seals),
    each with a field name no earlier signature uses, so several signers never overlap and
    each signature is a new field added in its own incremental update."""
    names = signature_field_names(pdf)
    prefix = SEAL_FIELD if seal else SIGNATURE_FIELD
    index = 1
    while f"{prefix}{index}" in names:
        index += 1
    slot = index - 1
    last = page_count(pdf) - 1
    page_ref = pdf.find_page_for_modification(last)[0]
    x0, y0, x1, y1 = _media_box(page_ref.get_object())
    width, height = x1 - x0, y1 - y0
    if seal:
        columns = max(1, int((width - 2 * MARGIN) // SEAL_STEP))
        right = x1 - MARGIN - (slot % columns) * SEAL_STEP
        bottom = y0 + MARGIN + (slot // columns) * SEAL_STEP
        box = (right - SEAL_SIZE, bottom, right, bottom + SEAL_SIZE)
    else:
        usable = width - 2 * MARGIN - SEAL_STEP  # keep clear of the seal's corner
        columns = max(1, int((usable + SIGNATURE_STEP[0] - SIGNATURE_BOX[0]) // SIGNATURE_STEP[0]))
        rows = max(1, int((height - 2 * MARGIN) // SIGNATURE_STEP[1]))
        column, row = slot % columns, (slot // columns) % rows
        left = x0 + MARGIN + column * SIGNATURE_STEP[0]
        bottom = y0 + MARGIN + row * SIGNATURE_STEP[1]
        box = (left, bottom, left + SIGNATURE_BOX[0], bottom + SIGNATURE_BOX[1])
    return Placement(f"{prefix}{index}", last, tuple(int(v) for v in box))  # type: ignore[arg-type]


# --- Appearances --------------------------------------------------------------------------------


def font_path() -> str:
    return fonts.cjk_font_path()


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(), size)


def seal_image(court_name: str, *, size: int = 600) -> Image.Image:
    """The court's round red seal: a ring, a five-pointed star, the court's name around
    the upper arc (each character upright towards the centre), transparent elsewhere."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = max(4, int(size * 0.035))
    inset = ring // 2 + 2
    draw.ellipse([inset, inset, size - inset, size - inset], outline=SEAL_RED, width=ring)
    centre = size / 2
    outer, inner = size * 0.16, size * 0.16 * 0.382
    star = [
        (
            centre + (outer if i % 2 == 0 else inner) * math.sin(i * math.pi / 5),
            centre - (outer if i % 2 == 0 else inner) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=SEAL_RED)
    text = court_name.strip() or "人民法院"
    glyph = int(size * (0.13 if len(text) <= 10 else 0.105 if len(text) <= 14 else 0.085))
    font = _font(glyph)
    radius = size / 2 - ring - glyph * 0.75
    span = min(250.0, 24.0 * len(text) * glyph / (size * 0.13))
    tile_size = int(glyph * 1.5)
    for i, char in enumerate(text):
        angle = -span / 2 + span * (i + 0.5) / len(text)  # degrees clockwise from the top
        tile = Image.new("RGBA", (tile_size, tile_size), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text(
            (tile_size / 2, tile_size / 2), char, font=font, fill=SEAL_RED, anchor="mm"
        )
        turned = tile.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True)
        x = centre + radius * math.sin(math.radians(angle)) - turned.width / 2
        y = centre - radius * math.cos(math.radians(angle)) - turned.height / 2
        image.alpha_composite(turned, (round(x), round(y)))
    return image


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of the strokes: pixels neither transparent nor near-white."""
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A").point(lambda a: 255 if a > 16 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 235 else 0)
    return ImageChops.multiply(alpha, dark).getbbox()


def handwriting_image(png: bytes, caption: str) -> Image.Image:
    """The signer's strokes cropped to their extent, with a small caption (name and time)."""
    strokes = Image.open(io.BytesIO(png)).convert("RGBA")
    box = ink_box(strokes)
    if box is not None:
        strokes = strokes.crop(box)
    target_height = 180
    if strokes.height > target_height:
        scale = target_height / strokes.height
        strokes = strokes.resize(
            (max(1, int(strokes.width * scale)), target_height), Image.Resampling.LANCZOS
        )
    font = _font(30)
    caption_box = font.getbbox(caption)
    caption_width = caption_box[2] - caption_box[0]
    width = max(strokes.width, caption_width) + 16
    height = strokes.height + 48
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    canvas.alpha_composite(strokes, ((width - strokes.width) // 2, 4))
    ImageDraw.Draw(canvas).text(
        (width / 2, height - 4), caption, font=font, fill=(40, 40, 40, 255), anchor="ms"
    )
    return canvas


def typed_signature_image(name: str, caption: str) -> Image.Image:
    """The appearance when no handwriting was given: the verified name, large, and the caption."""
    font = _font(72)
    left, top, right, bottom = font.getbbox(name)
    strokes = Image.new("RGBA", (right - left + 16, bottom - top + 16), (0, 0, 0, 0))
    ImageDraw.Draw(strokes).text((8 - left, 8 - top), name, font=font, fill=(20, 20, 20, 255))
    buffer = io.BytesIO()
    strokes.save(buffer, format="PNG")
    return handwriting_image(buffer.getvalue(), caption)


# --- Signing ------------------------------------------------------------------------------------


def sign(
    *,
    pdf: bytes,
    signer: signers.Signer,
    placement: Placement,
    appearance: Image.Image,
    name: str,
    reason: str,
    location: str,
    timestamper: TimeStamper,
) -> bytes:
    """One PAdES signature with a signature time-stamp (B-T), appended as an incremental
    update so that every earlier signature still covers exactly what it signed."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=placement.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=name,
        reason=reason or None,
        location=location or None,
    )
    style = StaticStampStyle(
        background=PdfImage(appearance),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(
            placement.field_name, on_page=placement.page, box=placement.box
        ),
    )
    output = io.BytesIO()
    # The built-in TSA writes with the ORM: async_to_sync keeps this thread free to run it
    # (see tsa.BuiltInTimeStamper).
    async_to_sync(pdf_signer.async_sign_pdf)(writer, output=output)
    return output.getvalue()


def widget_rect(pdf: PdfFileReader, field_name: str) -> tuple[float, ...] | None:
    """The appearance's rectangle of a signature field (to show it is visible)."""
    for name, _value, ref in fields.enumerate_sig_fields(pdf, filled_status=None):
        if name == field_name:
            rect = ref.get_object().get("/Rect")
            if isinstance(rect, ArrayObject):
                return tuple(float(v) for v in rect)
    return None
