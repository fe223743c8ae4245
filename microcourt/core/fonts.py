"""The Chinese font every rendered picture uses (seal appearances, recordings' captions):
WenQuanYi Micro Hei from Debian's fonts-wqy-microhei, found through fontconfig."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

FONT_FAMILY = "WenQuanYi Micro Hei"
FONT_FALLBACKS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)


class FontMissing(RuntimeError):
    """fonts-wqy-microhei is not installed (the message says how to install it)."""


@functools.cache
def cjk_font_path() -> str:
    if shutil.which("fc-match"):
        found = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            ["fc-match", FONT_FAMILY, "--format=%{file}"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        if found and "wqy" in found.lower() and Path(found).exists():
            return found
    for candidate in FONT_FALLBACKS:
        if Path(candidate).exists():
            return candidate
    raise FontMissing(
        "the Chinese font WenQuanYi Micro Hei is missing: apt-get install fonts-wqy-microhei"
    )
