"""Synthetic documents for OCR tests: a second-generation resident ID card (front and
back) and a business licence, drawn with Pillow and the WenQuanYi CJK font.

Other tests (face checks, filing auto-fill) reuse these, so every function takes the
field values as keywords and returns encoded image bytes. The layouts follow the real
documents closely enough that label/value positions, a portrait on the right and a
two-column licence exercise the parsers the way a phone photo would."""

from __future__ import annotations

import datetime as dt
import io
import random
import subprocess
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ID_CARD_SIZE = (856, 540)  # 85.6 mm × 54 mm at 10 px/mm, as scanners produce

LABEL_BLUE = (44, 104, 160)
INK = (20, 20, 20)

# A valid number (checksum, 1990-01-01, 海曙区) whose gender digit (3) is male.
ZHANG_SAN_ID = "330203199001011236"
# A valid unified social credit code (check digit computed by stdnum.cn.uscc).
SAMPLE_USCC = "91330203MA2AB1234A"


@cache
def cjk_font_path() -> str:
    """The WenQuanYi Micro Hei file (Debian package fonts-wqy-microhei)."""
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "WenQuanYi Micro Hei"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if "wqy" not in path.lower():
        raise RuntimeError(f"WenQuanYi Micro Hei is not installed (fc-match gave {path!r})")
    return path


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(cjk_font_path(), size)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _card_background(size: tuple[int, int], seed: int) -> Image.Image:
    """A pale card with faint guilloche-like waves: real cards are not flat white, and a
    flat background would make the detector's job unrealistically easy."""
    width, height = size
    image = Image.new("RGB", size, (236, 242, 244))
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    for _ in range(14):
        amplitude, phase, base = rng.uniform(6, 18), rng.uniform(0, 6.3), rng.uniform(0, height)
        points = [(x, base + amplitude * np.sin(x / 37.0 + phase)) for x in range(0, width + 8, 8)]
        draw.line(points, fill=(214, 226, 232), width=1)
    draw.rounded_rectangle((1, 1, width - 2, height - 2), radius=28, outline=(200, 210, 216))
    return image


def draw_portrait_placeholder(size: tuple[int, int]) -> Image.Image:
    """A grey head-and-shoulders silhouette with an oval face, as a stand-in portrait."""
    width, height = size
    image = Image.new("RGB", size, (205, 208, 210))
    draw = ImageDraw.Draw(image)
    cx = width // 2
    draw.ellipse(
        (cx - width * 0.45, height * 0.72, cx + width * 0.45, height * 1.25), fill=(120, 124, 128)
    )
    draw.ellipse(
        (cx - width * 0.24, height * 0.16, cx + width * 0.24, height * 0.70), fill=(228, 200, 178)
    )
    for ex in (-0.09, 0.09):
        x = cx + width * ex
        draw.ellipse((x - 5, height * 0.38 - 3, x + 5, height * 0.38 + 3), fill=(60, 50, 45))
    draw.arc(
        (cx - 18, height * 0.50, cx + 18, height * 0.60),
        start=20,
        end=160,
        fill=(150, 80, 80),
        width=2,
    )
    return image


def _wrap(text: str, per_line: int) -> list[str]:
    return [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]


def _spaced(label: str) -> str:
    """Two-character labels are printed letter-spaced on the card (姓 名, 住 址)."""
    return " ".join(label) if len(label) == 2 else label


def render_id_card_front(
    *,
    name: str = "张三",
    gender: str = "男",
    ethnicity: str = "汉",
    birth_date: dt.date = dt.date(1990, 1, 1),
    address: str = "浙江省宁波市海曙区某某路1号",
    id_number: str = ZHANG_SAN_ID,
    portrait: Image.Image | bytes | None = None,
) -> bytes:
    """The portrait side as PNG bytes. ``portrait`` (an image or encoded bytes) is pasted in
    the photo area; without one a drawn silhouette is used."""
    image = _card_background(ID_CARD_SIZE, seed=1)
    draw = ImageDraw.Draw(image)
    label_font, value_font, number_font = font(26), font(30), font(34)

    def field(x: int, y: int, label: str, value: str, gap: int = 92) -> None:
        draw.text((x, y + 3), _spaced(label), font=label_font, fill=LABEL_BLUE)
        draw.text((x + gap, y), value, font=value_font, fill=INK)

    field(60, 58, "姓名", name)
    field(60, 128, "性别", gender)
    field(250, 128, "民族", ethnicity)
    draw.text((60, 201), _spaced("出生"), font=label_font, fill=LABEL_BLUE)
    draw.text(
        (152, 198),
        f"{birth_date.year}  年  {birth_date.month}  月  {birth_date.day}  日",
        font=value_font,
        fill=INK,
    )
    draw.text((60, 271), _spaced("住址"), font=label_font, fill=LABEL_BLUE)
    for row, part in enumerate(_wrap(address, 11)):
        draw.text((152, 268 + row * 44), part, font=value_font, fill=INK)
    draw.text((60, 448), "公民身份号码", font=label_font, fill=LABEL_BLUE)
    draw.text((270, 443), id_number, font=number_font, fill=INK)

    photo_box = (580, 60, 800, 330)
    photo_size = (photo_box[2] - photo_box[0], photo_box[3] - photo_box[1])
    if portrait is None:
        photo = draw_portrait_placeholder(photo_size)
    else:
        photo = Image.open(io.BytesIO(portrait)) if isinstance(portrait, bytes) else portrait
        photo = photo.convert("RGB").resize(photo_size)
    image.paste(photo, photo_box[:2])
    return _png(image)


def render_id_card_back(
    *,
    issuing_authority: str = "宁波市公安局海曙分局",
    valid_from: dt.date = dt.date(2015, 3, 1),
    valid_until: dt.date | None = dt.date(2035, 3, 1),
) -> bytes:
    """The national-emblem side as PNG bytes; ``valid_until=None`` prints 长期."""
    image = _card_background(ID_CARD_SIZE, seed=2)
    draw = ImageDraw.Draw(image)
    # A red disc stands in for the national emblem: it gives the detector something
    # non-textual to ignore, as the real emblem does.
    draw.ellipse((60, 40, 190, 170), fill=(200, 40, 40))
    draw.ellipse((95, 75, 155, 135), fill=(235, 190, 60))
    draw.text((300, 60), "中华人民共和国", font=font(40), fill=INK)
    draw.text((260, 140), "居民身份证", font=font(64), fill=INK)
    end = "长期" if valid_until is None else valid_until.strftime("%Y.%m.%d")
    draw.text((180, 370), "签发机关", font=font(26), fill=INK)
    draw.text((320, 367), issuing_authority, font=font(30), fill=INK)
    draw.text((180, 440), "有效期限", font=font(26), fill=INK)
    draw.text((320, 437), f"{valid_from:%Y.%m.%d}-{end}", font=font(30), fill=INK)
    return _png(image)


def render_business_licence(
    *,
    name: str = "宁波某某贸易有限公司",
    credit_code: str = SAMPLE_USCC,
    representative: str = "李四",
    representative_label: str = "法定代表人",
    address: str = "浙江省宁波市海曙区某某路88号1201室",
    address_label: str = "住所",
    kind: str = "有限责任公司(自然人投资或控股)",
    founded: dt.date = dt.date(2018, 6, 15),
) -> bytes:
    """A 2019-style 营业执照 (two columns of fields under the title) as PNG bytes."""
    image = Image.new("RGB", (1400, 990), (250, 246, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 1380, 970), outline=(170, 40, 40), width=6)
    draw.text((560, 60), "营业执照", font=font(80), fill=(170, 30, 30))
    draw.text((80, 190), f"统一社会信用代码  {credit_code}", font=font(30), fill=INK)
    draw.text((1010, 190), "(副  本)", font=font(30), fill=INK)

    label_font, value_font = font(28), font(28)

    def field(x: int, y: int, label: str, value: str, per_line: int) -> None:
        draw.text((x, y), label, font=label_font, fill=INK)
        for row, part in enumerate(_wrap(value, per_line)):
            draw.text((x + 175, y + row * 42), part, font=value_font, fill=INK)

    field(80, 300, "名        称", name, 14)
    field(80, 380, "类        型", kind, 14)
    field(80, 460, representative_label, representative, 14)
    field(80, 540, "经营范围", "一般项目：日用百货销售；五金产品批发。", 14)
    field(760, 300, "注册资本", "壹佰万元整", 14)
    field(760, 380, "成立日期", f"{founded.year}年{founded.month:02d}月{founded.day:02d}日", 14)
    field(
        760, 460, "营业期限", f"{founded.year}年{founded.month:02d}月{founded.day:02d}日至长期", 14
    )
    field(760, 540, address_label, address, 12)
    draw.text((900, 800), "登记机关", font=label_font, fill=INK)
    draw.text(
        (900, 860),
        f"{founded.year}年{founded.month:02d}月{founded.day:02d}日",
        font=label_font,
        fill=INK,
    )
    return _png(image)


def degrade(
    image: bytes,
    *,
    scale: float = 0.6,
    angle: float = 4.0,
    blur: float = 1.0,
    noise: float = 8.0,
    quality: int = 40,
    seed: int = 7,
) -> bytes:
    """A phone-photo-like copy: scaled, rotated, blurred, noisy, JPEG-compressed."""
    picture = Image.open(io.BytesIO(image)).convert("RGB")
    picture = picture.resize(
        (round(picture.width * scale), round(picture.height * scale)), Image.Resampling.LANCZOS
    )
    picture = picture.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(128, 120, 110)
    )
    picture = picture.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(picture, dtype=np.float32)
    pixels += np.random.default_rng(seed).normal(0.0, noise, pixels.shape)
    picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def render_gradient_photo(size: tuple[int, int] = (800, 600)) -> bytes:
    """A photo-like picture with no text at all (sky-to-ground gradient and soft blobs)."""
    width, height = size
    y = np.linspace(0.0, 1.0, height)[:, None, None]
    top, bottom = np.array([120, 170, 230]), np.array([70, 120, 60])
    pixels = np.broadcast_to(top * (1 - y) + bottom * y, (height, width, 3)).copy()
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:height, 0:width]
    for _ in range(5):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(40, 160)
        mask = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)))[..., None]
        pixels = pixels * (1 - 0.5 * mask) + rng.uniform(80, 255, 3) * 0.5 * mask
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(2)
    )
    return _png(image)
