"""Test images built from faces that ship inside installed packages (no downloads).

- the astronaut (Eileen Collins) from ``skimage.data.astronaut()``;
- Grace Hopper from matplotlib's sample data.

Each function returns encoded bytes, as an upload would arrive."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from matplotlib import cbook
from PIL import Image, ImageDraw, ImageEnhance
from skimage import data

# Where the detector finds the faces in the source images (left, top, right, bottom).
ASTRONAUT_FACE = (175, 76, 265, 166)
HOPPER_FACE = (180, 139, 366, 325)

CARD_SIZE = (856, 540)  # 85.6 x 54 mm, the ID-1 card format, at 10 px/mm
CARD_PORTRAIT_BOX = (600, 80, 810, 340)


@cache
def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


@cache
def grace_hopper() -> Image.Image:
    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        return Image.open(handle).convert("RGB")


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _card_furniture() -> Image.Image:
    """A light card with the layout of an ID card's front but no portrait."""
    width, height = CARD_SIZE
    ramp = np.linspace(0, 1, width)[None, :, None]
    # A pale blue-to-cream wash, like the card's guilloché background.
    pixels = (np.array([226, 236, 244]) * (1 - ramp) + np.array([246, 240, 226]) * ramp) * (
        np.ones((height, 1, 1))
    )
    card = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((2, 2, width - 3, height - 3), radius=30, outline=(170, 180, 190))
    for row, label_width, value_width in ((70, 50, 120), (130, 50, 200), (190, 50, 180)):
        draw.rectangle((60, row, 60 + label_width, row + 18), fill=(90, 130, 170))
        draw.rectangle((130, row, 130 + value_width, row + 18), fill=(40, 40, 40))
    for row in (250, 285, 320):  # the address block
        draw.rectangle((130, row, 520, row + 18), fill=(40, 40, 40))
    draw.rectangle((60, 430, 160, 448), fill=(90, 130, 170))  # "citizen ID number" label
    draw.rectangle((230, 428, 780, 452), fill=(30, 30, 30))  # the 18-digit number
    return card


def id_card() -> bytes:
    """An ID-card front: the astronaut's head-and-shoulders crop as the portrait."""
    card = _card_furniture()
    left, top, right, bottom = CARD_PORTRAIT_BOX
    portrait = astronaut().crop((130, 20, 310, 250)).resize((right - left, bottom - top))
    card.paste(portrait, (left, top))
    return encode(card, quality=90)


def id_card_without_portrait() -> bytes:
    return encode(_card_furniture(), quality=90)


def selfie() -> bytes:
    """The same astronaut as a phone selfie: another crop, rescaled, brighter, JPEG q60."""
    crop = astronaut().crop((100, 0, 330, 260)).resize((180, 203), Image.Resampling.BILINEAR)
    return encode(ImageEnhance.Brightness(crop).enhance(1.15), quality=60)


def selfie_stored_sideways() -> bytes:
    """A larger selfie as phones store portrait shots: pixels rotated, EXIF says so."""
    crop = astronaut().crop((60, 0, 380, 300)).resize((480, 450))
    sideways = crop.transpose(Image.Transpose.ROTATE_90)  # pixels now lie on their side
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    return encode(sideways, quality=85, exif=exif)


def stranger_selfie() -> bytes:
    """Somebody else: Grace Hopper."""
    return encode(grace_hopper().crop((110, 60, 440, 420)), quality=80)


def _face_crops(size: tuple[int, int]) -> tuple[Image.Image, Image.Image]:
    return (
        astronaut().crop((130, 20, 310, 230)).resize(size),
        grace_hopper().crop((120, 80, 426, 437)).resize(size),
    )


def two_faces() -> bytes:
    """Two people side by side at similar size."""
    left, right = _face_crops((300, 350))
    canvas = Image.new("RGB", (640, 380), (200, 200, 200))
    canvas.paste(left, (10, 15))
    canvas.paste(right, (330, 15))
    return encode(canvas, quality=85)


def selfie_with_small_face_behind() -> bytes:
    """One person in front, another face far behind: small enough to be background."""
    front, _ = _face_crops((420, 490))
    _, behind = _face_crops((100, 117))
    canvas = Image.new("RGB", (640, 520), (210, 205, 200))
    canvas.paste(behind, (520, 20))
    canvas.paste(front, (40, 20))
    return encode(canvas, quality=85)


def no_face() -> bytes:
    """A cup of coffee."""
    return encode(Image.fromarray(data.coffee()), quality=85)


def gradient() -> bytes:
    ramp = np.linspace(0, 255, 400, dtype=np.uint8)
    return encode(Image.fromarray(np.stack([np.tile(ramp, (300, 1))] * 3, axis=-1)), "PNG")
