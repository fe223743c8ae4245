"""OCR behind one small interface: bytes in, text lines in reading order out.

The default engine is rapidocr 3.x with the models that ship inside its wheel (any other
model makes it download from ModelScope, which fails offline). Another engine (a cloud OCR,
a fake in tests) is chosen with ``settings.OCR_ENGINE``, a dotted path to a class whose
instances have ``read(image: bytes) -> list[OcrLine]``."""

from __future__ import annotations

import logging
import math
import os
import re
import statistics
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw

from microcourt.assist import images
from microcourt.core.errors import Unprocessable

if TYPE_CHECKING:
    from rapidocr import RapidOCR

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "microcourt.assist.ocr.RapidOcrEngine"
# Phone cameras reach 50 MP; anything larger is a decompression bomb, not a photo.
DEFAULT_MAX_PIXELS = 50_000_000
# rapidocr shrinks to this longest side itself; doing it first saves decoding memory.
OCR_MAX_SIDE = 2000

# Pillow's plugin names for the formats users may upload. Opening with only these plugins
# keeps rarely used (and historically bug-prone) decoders out of reach of uploads.

Point = tuple[float, float]


@dataclass(frozen=True)
class OcrLine:
    """One detected text line. ``box`` is the quadrilateral (top-left, top-right,
    bottom-right, bottom-left) in image pixels, or None when the source has no geometry."""

    text: str
    score: float
    box: tuple[Point, Point, Point, Point] | None = None


class OcrEngine(Protocol):
    def read(self, image: bytes) -> list[OcrLine]: ...


def _unreadable() -> Unprocessable:
    return Unprocessable(
        _("无法读取这张图片，请上传清晰的 JPG、PNG 或 WebP 照片。"),
        code="image_unreadable",
        fields={"image": _("不是有效的图片文件。")},
    )


def _too_many_pixels(limit: int) -> Unprocessable:
    return Unprocessable(
        _("图片像素过多，请上传不超过 %(mp)d 百万像素的照片。") % {"mp": limit // 1_000_000},
        code="image_too_large",
        fields={"image": _("图片像素过多。")},
    )


def decode_image(data: bytes, *, max_pixels: int | None = None) -> Image.Image:
    """Decode an upload into an upright RGB image no larger than ``OCR_MAX_SIDE``.

    Refuses non-images, formats other than PNG/JPEG/WebP, truncated files, and images over
    ``max_pixels`` (``settings.OCR_MAX_PIXELS``) before their pixels are decoded."""
    limit = max_pixels or int(getattr(settings, "OCR_MAX_PIXELS", DEFAULT_MAX_PIXELS))
    try:
        image = images.decode(
            data, max_side=OCR_MAX_SIDE, max_pixels=limit, resample=Image.Resampling.LANCZOS
        )
    except images.ImageRefused as exc:
        if exc.reason == "too_large":
            raise _too_many_pixels(limit) from None
        raise _unreadable() from None
    if image.width < 16 or image.height < 16:
        raise _unreadable()
    return image


@dataclass(frozen=True)
class PlacedLine:
    """A line's extent after undoing the page skew, for row grouping."""

    line: OcrLine
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)


def skew_angle(lines: Sequence[OcrLine]) -> float:
    """The page's rotation in radians, the median slope of the wide boxes' long edges.

    A card photographed a few degrees off makes a label and its value, far apart on the same
    printed line, land at different heights; rows are grouped after undoing this angle."""
    angles = []
    for line in lines:
        if line.box is None:
            continue
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = line.box
        dx, dy = (x1 - x0) + (x2 - x3), (y1 - y0) + (y2 - y3)
        height = math.hypot(x3 - x0, y3 - y0)
        if math.hypot(dx, dy) / 2 > 1.5 * height:
            angles.append(math.atan2(dy, dx))
    return statistics.median(angles) if angles else 0.0


def _place(line: OcrLine, angle: float) -> PlacedLine:
    assert line.box is not None
    cos, sin = math.cos(angle), math.sin(angle)
    xs = [x * cos + y * sin for x, y in line.box]
    ys = [-x * sin + y * cos for x, y in line.box]
    return PlacedLine(line, min(xs), max(xs), min(ys), max(ys))


@dataclass(frozen=True)
class Row:
    """Lines that share a printed baseline, left to right. ``placed`` carries their
    de-skewed extents (empty when the lines have no boxes)."""

    lines: tuple[OcrLine, ...]
    placed: tuple[PlacedLine, ...] = ()

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


def group_rows(lines: Sequence[OcrLine]) -> list[Row]:
    """Lines grouped into rows, top to bottom, each row left to right.

    Lines without boxes (hand-made test input, engines without geometry) keep their order and
    form one row each."""
    if any(line.box is None for line in lines):
        return [Row((line,)) for line in lines]
    angle = skew_angle(lines)
    placed = sorted((_place(line, angle) for line in lines), key=lambda p: p.yc)
    rows: list[list[PlacedLine]] = []
    for item in placed:
        if rows:
            current = rows[-1]
            row_yc = statistics.fmean(p.yc for p in current)
            row_height = statistics.median(p.height for p in current)
            # Half a line height: neighbouring printed lines are at least a line apart.
            if abs(item.yc - row_yc) <= 0.5 * min(item.height, row_height):
                current.append(item)
                continue
        rows.append([item])
    result = []
    for members in rows:
        members.sort(key=lambda p: p.x0)
        result.append(Row(tuple(p.line for p in members), tuple(members)))
    return result


def reading_order(lines: Sequence[OcrLine]) -> list[OcrLine]:
    """Lines top to bottom, and left to right within a printed line."""
    return [line for row in group_rows(lines) for line in row.lines]


# --- printed labels and their values ------------------------------------------------------

# Lines below this score are mostly texture read as letters (the portrait, the emblem).
MIN_LINE_SCORE = 0.5
# An ID number or credit code: never part of a wrapped address line.
_NUMBER_RUN = re.compile(r"[0-9A-Za-z]{15,}")


@dataclass
class _Token:
    label: str | None  # the field key when this token is a printed label
    text: str
    line: OcrLine
    placed: PlacedLine | None
    start: float  # fraction of the line's width where this token's text begins


@dataclass
class FieldValue:
    """A label's value text and the lines it came from (the label's own included), whose
    scores make up the reader's confidence."""

    text: str = ""
    lines: list[OcrLine] = field(default_factory=list)


def usable_line(line: OcrLine) -> bool:
    """Whether a line is text worth parsing rather than texture read as text."""
    if line.score < MIN_LINE_SCORE or not line.text.strip():
        return False
    # A lone Latin letter or symbol is how OCR reads a portrait edge or an emblem.
    text = line.text.strip()
    return not (len(text) <= 2 and not any(is_cjk(ch) or ch.isdigit() for ch in text))


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _label_pattern(labels: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    """One regex over every label; alternatives are regexes, longest first so that 经营场所
    is not read as 场所's neighbour and 主要经营场所 wins over 经营场所."""
    alternatives = sorted(
        ((alt, key) for key, patterns in labels.items() for alt in patterns),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    return re.compile(
        "|".join(f"(?P<{key}_{i}>{alt})" for i, (alt, key) in enumerate(alternatives))
    )


def _tokenize(rows: list[Row], labels: dict[str, tuple[str, ...]]) -> list[list[_Token]]:
    pattern = _label_pattern(labels)
    tokenized = []
    for row in rows:
        tokens: list[_Token] = []
        placed_by_line = {id(p.line): p for p in row.placed}
        for line in row.lines:
            text = re.sub(r"\s", "", unicodedata.normalize("NFKC", line.text))
            placed = placed_by_line.get(id(line))
            position = 0
            for match in pattern.finditer(text):
                if match.start() > position:
                    tokens.append(
                        _Token(
                            None, text[position : match.start()], line, placed, position / len(text)
                        )
                    )
                key = (match.lastgroup or "").rsplit("_", 1)[0]
                tokens.append(_Token(key, match.group(), line, placed, match.start() / len(text)))
                position = match.end()
            if position < len(text):
                tokens.append(_Token(None, text[position:], line, placed, position / len(text)))
        tokenized.append(tokens)
    return tokenized


def extract_fields(
    lines: Sequence[OcrLine],
    labels: dict[str, tuple[str, ...]],
    multiline: frozenset[str] = frozenset(),
    misread: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, FieldValue]:
    """Each label's value: the text after it on its printed line (up to the next label or a
    column gap) plus, for ``multiline`` fields, the lines below that start where it starts.

    ``misread`` gives looser label patterns (one character of the label wrong) tried only for
    fields the exact labels did not find: used from the start, they would cut values such as
    a name that happens to contain 名."""
    rows = group_rows([line for line in lines if usable_line(line)])
    values = _values(rows, labels, multiline)
    missing = {key for key in (misread or {}) if key not in values}
    if missing and misread:
        loose = {key: labels[key] + misread.get(key, ()) for key in labels}
        retry = _values(rows, loose, multiline)
        values.update({key: retry[key] for key in missing if key in retry})
    return values


def _values(
    rows: list[Row], labels: dict[str, tuple[str, ...]], multiline: frozenset[str]
) -> dict[str, FieldValue]:
    tokenized = _tokenize(rows, labels)
    values: dict[str, FieldValue] = {}
    for r, tokens in enumerate(tokenized):
        for i, token in enumerate(tokens):
            if token.label is None or token.label in values:
                continue  # the first printed occurrence of a label wins
            value = FieldValue(lines=[token.line])
            previous = token
            for following in tokens[i + 1 :]:
                if following.label is not None or _column_gap(previous, following):
                    break
                value.text += following.text
                if following.line not in value.lines:
                    value.lines.append(following.line)
                previous = following
            if token.label in multiline:
                _continue_below(value, token, tokens[i + 1 :], tokenized[r + 1 :], rows[r + 1 :])
            values[token.label] = value
    return values


def _column_gap(left: _Token, right: _Token) -> bool:
    """True when ``right`` sits in another column: far more than a few characters away."""
    if left.line is right.line or left.placed is None or right.placed is None:
        return False
    return right.placed.x0 - left.placed.x1 > 4 * left.placed.height


def _value_x0(label: _Token, rest: list[_Token]) -> float | None:
    """Where the value's first character starts, in de-skewed pixels."""
    if label.placed is None:
        return None
    if rest and rest[0].label is None:
        first = rest[0]
        if first.placed is None:
            return None
        return first.placed.x0 + (first.placed.x1 - first.placed.x0) * first.start
    return label.placed.x1


def _x0(token: _Token) -> float:
    # NaN compares false with everything, so a token without geometry is in no column.
    return token.placed.x0 if token.placed is not None else float("nan")


def _continue_below(
    value: FieldValue,
    label: _Token,
    rest: list[_Token],
    later_tokens: list[list[_Token]],
    later_rows: list[Row],
) -> None:
    """Append the wrapped lines of a long value (an address) that sit below its first line."""
    x_value = _value_x0(label, rest)
    if x_value is None or label.placed is None:
        # No geometry: the next rows belong to the value until one holds a label or a number.
        for tokens in later_tokens[:3]:
            if any(t.label for t in tokens) or any(_NUMBER_RUN.search(t.text) for t in tokens):
                return
            value.text += "".join(t.text for t in tokens)
            value.lines.extend(t.line for t in tokens if t.line not in value.lines)
        return
    height = label.placed.height
    tolerance = 1.5 * height
    last_yc = label.placed.yc
    for tokens, row in zip(later_tokens, later_rows, strict=True):
        row_yc = statistics.fmean(p.yc for p in row.placed)
        if row_yc - last_yc > 2.2 * height:
            return  # a blank gap: the value has ended
        in_column = [
            t for t in tokens if label.placed.x0 - tolerance <= _x0(t) <= x_value + tolerance
        ]
        if any(t.label for t in in_column):
            return  # the next field's label in the same column
        aligned = [
            t
            for t in in_column
            if t.label is None and t.start == 0.0 and abs(_x0(t) - x_value) <= tolerance
        ]
        if aligned:
            line_tokens = [t for t in tokens if t.line is aligned[0].line]
            if any(t.label for t in line_tokens):
                return
            value.text += "".join(t.text for t in line_tokens)
            value.lines.append(aligned[0].line)
            last_yc = row_yc


# --- engines ------------------------------------------------------------------------------


def default_threads() -> int:
    # Two to four intra-op threads is where onnxruntime stops getting faster on these small
    # models; more only competes with the web workers on the same machine.
    return int(getattr(settings, "OCR_THREADS", min(os.cpu_count() or 1, 4)))


class RapidOcrEngine:
    """rapidocr 3.x (PP-OCR det/cls/rec on onnxruntime, CPU) with its bundled models.

    The model loads on first use, once per instance; ``get_engine`` keeps one instance per
    process. Calls are serialised: each already uses ``threads`` cores, and running two at
    once would only make both slower."""

    def __init__(self, *, threads: int | None = None) -> None:
        self.threads = threads
        self._ocr: RapidOCR | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def _model(self) -> RapidOCR:
        if self._ocr is None:
            with self._load_lock:
                if self._ocr is None:
                    from rapidocr import RapidOCR  # imported late: 0.5 s and 100 MB of RAM

                    threads = self.threads or default_threads()
                    self._ocr = RapidOCR(
                        params={
                            "Global.log_level": "error",
                            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                        }
                    )
        return self._ocr

    def load(self) -> None:
        """Load the models now (at worker start or in a test fixture) instead of on first read."""
        model = self._model()
        # rapidocr loads its detection, direction and recognition models lazily, and only
        # the ones an image needs: a line of text makes it load all three.
        warm_up = Image.new("RGB", (160, 48), (255, 255, 255))
        ImageDraw.Draw(warm_up).text((8, 8), "OCR 123", fill=(0, 0, 0), font_size=24)
        with self._run_lock:
            model(warm_up)

    def read(self, image: bytes) -> list[OcrLine]:
        return self.read_image(decode_image(image))

    def read_image(self, image: Image.Image) -> list[OcrLine]:
        model = self._model()
        started = time.perf_counter()
        with self._run_lock:
            result: Any = model(image)
        lines = []
        if result.txts:
            for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
                p = [(float(x), float(y)) for x, y in box]
                corners = (p[0], p[1], p[2], p[3])
                lines.append(OcrLine(text=str(text), score=float(score), box=corners))
        # Only sizes and timings: the text may be an ID number or an address.
        log.debug(
            "ocr: %d lines from %dx%d in %.0f ms",
            len(lines),
            image.width,
            image.height,
            (time.perf_counter() - started) * 1000,
        )
        return reading_order(lines)


_engines: dict[str, OcrEngine] = {}
_engines_lock = threading.Lock()


def get_engine() -> OcrEngine:
    """The process's OCR engine, chosen by ``settings.OCR_ENGINE`` (a dotted class path)."""
    path = str(getattr(settings, "OCR_ENGINE", DEFAULT_ENGINE))
    engine = _engines.get(path)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(path)
            if engine is None:
                engine = import_string(path)()
                _engines[path] = engine
    return engine
