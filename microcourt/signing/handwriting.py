"""A handwritten signature as the signature pad sends it: a PNG data URL. Checked to be a
real PNG, small, and not blank before it becomes a signature's appearance."""

from __future__ import annotations

import base64
import binascii
import io
import threading

import magic
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, UnidentifiedImageError

from microcourt.core.errors import InvalidInput

from . import engine

FIELD = "handwriting"
MAX_BYTES = 1024 * 1024
MAX_SIDE = 4000  # pixels; a phone canvas is far smaller
PREFIX = "data:image/png;base64,"
# WeasyPrint turns PIL's process-wide LOAD_TRUNCATED_IMAGES on when imported; a signature
# must never be accepted half-decoded (as in assist.images), so it is off while we decode.
_STRICT = threading.Lock()


def _refuse(reason) -> InvalidInput:
    return InvalidInput(_("手写签名有误：%(reason)s") % {"reason": reason}, fields={FIELD: reason})


def from_data_url(value: object) -> bytes:
    """The PNG bytes of ``data:image/png;base64,…`` (checked by ``check_png``)."""
    if not isinstance(value, str) or not value.strip():
        raise _refuse(_("请先在签名框内手写签名"))
    text = value.strip()
    if not text.lower().startswith(PREFIX):
        raise _refuse(_("签名数据格式不正确，应为 PNG 图片"))
    encoded = text[len(PREFIX) :]
    if len(encoded) > (MAX_BYTES * 4) // 3 + 4:
        raise _refuse(_("签名图片不能超过 1 MB"))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(_("签名数据无法解码")) from None
    return check_png(data)


def check_png(data: bytes) -> bytes:
    """Refuse what is not a PNG (by content), over 1 MB, oversized, unreadable or blank
    (no stroke: every pixel transparent or white)."""
    if not data:
        raise _refuse(_("请先在签名框内手写签名"))
    if len(data) > MAX_BYTES:
        raise _refuse(_("签名图片不能超过 1 MB"))
    if magic.from_buffer(data[:8192], mime=True) != "image/png":
        raise _refuse(_("签名图片不是 PNG 格式"))
    try:
        image = Image.open(io.BytesIO(data), formats=("PNG",))
        if max(image.size) > MAX_SIDE:
            raise _refuse(_("签名图片尺寸过大"))
        with _STRICT:
            previous = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            try:
                image.load()
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = previous
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        EOFError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ):
        raise _refuse(_("签名图片已损坏")) from None
    if engine.ink_box(image) is None:
        raise _refuse(_("签名框是空白的，请手写签名"))
    return data
