"""File types as people name them: "图片 JPG/PNG、PDF、Word 文档、视频 MP4" rather than the
MIME subtypes ("JPEG、MP4、MP4、VND.OPENXMLFORMATS-…"). Used wherever an upload is refused
for its type, and by pages that say beforehand what they accept."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (the kind as people say it, {MIME type: the format's usual name, "" when the kind says all})
GROUPS = [
    (
        _("图片"),
        {"image/jpeg": "JPG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"},
    ),
    ("PDF", {"application/pdf": ""}),
    (_("Word 文档"), {DOCX: ""}),
    (_("Excel 表格"), {XLSX: ""}),
    (
        _("音频"),
        {
            "audio/mpeg": "MP3",
            "audio/mp4": "M4A",
            "audio/x-m4a": "M4A",
            "audio/ogg": "OGG",
            "audio/x-opus+ogg": "OGG",
            "audio/webm": "WebM",
            "audio/wav": "WAV",
            "audio/x-wav": "WAV",
        },
    ),
    (_("视频"), {"video/mp4": "MP4", "video/webm": "WebM"}),
    (_("文本"), {"text/plain": "TXT"}),
    (_("网页"), {"text/html": "HTML"}),
]


def describe(mimes: Iterable[str]) -> str:
    """The kinds among ``mimes``, each once, in a fixed order: "图片 JPG/PNG、PDF、视频 MP4"."""
    mimes = set(mimes)
    parts: list[str] = []
    for label, formats in GROUPS:
        names = list(dict.fromkeys(formats[m] for m in formats if m in mimes))
        if names:
            shown = "/".join(n for n in names if n)
            parts.append(str(format_lazy("{} {}", label, shown)) if shown else str(label))
    known = {m for _label, formats in GROUPS for m in formats}
    parts += sorted(dict.fromkeys(m.split("/")[-1].upper() for m in mimes - known))
    return separator().join(parts)


def name(mime: str) -> str:
    """One detected type as people name it ("网页 HTML"); the MIME type when it has no name."""
    if any(mime in formats for _label, formats in GROUPS):
        return describe([mime])
    return mime


def separator() -> str:
    """Between the items of a list: "、" in Chinese, ", " in English."""
    return pgettext("list separator", "、")
