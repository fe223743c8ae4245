"""Decoding uploaded photos, once for every engine (OCR, face): allowed formats only, pixel
limits checked before decoding, truncated files refused, EXIF orientation applied, RGB on
white, shrunk to the size the engine needs."""

from __future__ import annotations

import io
import struct
import threading
import warnings

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")  # JPEG also opens multi-picture (MPO) files

# WeasyPrint sets PIL's process-wide LOAD_TRUNCATED_IMAGES to True when it is imported; an
# upload must never be accepted half-decoded, so decoding here turns it off while it runs.
_STRICT = threading.Lock()


class ImageRefused(ValueError):
    """Why an upload cannot be used: ``too_large`` or ``unreadable``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode(
    data: bytes,
    *,
    max_side: int,
    max_pixels: int,
    resample: Image.Resampling = Image.Resampling.BILINEAR,
) -> Image.Image:
    """An upright RGB image whose longer side is at most ``max_side``."""
    try:
        with warnings.catch_warnings():
            # Pillow warns between its own bomb limits; ours (max_pixels) decides first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRefused("too_large")
            # JPEG decodes at 1/2, 1/4 or 1/8 scale directly: a 48 MP photo never exists in
            # memory at full size just to be shrunk.
            image.draft("RGB", (max_side, max_side))
            with _STRICT:
                previous = ImageFile.LOAD_TRUNCATED_IMAGES
                ImageFile.LOAD_TRUNCATED_IMAGES = False
                try:
                    image.load()
                finally:
                    ImageFile.LOAD_TRUNCATED_IMAGES = previous
    except ImageRefused:
        raise
    except Image.DecompressionBombError:
        raise ImageRefused("too_large") from None
    # Pillow reports corrupt data through several exception types (PNG: SyntaxError,
    # truncated streams: OSError/EOFError); for an upload they all mean "unreadable".
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error):
        raise ImageRefused("unreadable") from None
    try:
        image = _to_rgb(_upright(image))
    except (OSError, ValueError):  # modes Pillow cannot bring to RGB
        raise ImageRefused("unreadable") from None
    image.thumbnail((max_side, max_side), resample, reducing_gap=2.0)
    return image


def _upright(image: Image.Image) -> Image.Image:
    # Phones store portrait shots sideways plus an EXIF Orientation tag. Broken EXIF (common
    # in edited photos) leaves the image as stored rather than refusing a usable photo.
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent areas would turn black under a plain convert("RGB"), hiding dark text
        # and faces; a white background is what a scanned card looks like.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
