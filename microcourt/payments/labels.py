"""Fee texts stored on an order, said in the reader's language when shown.

An order keeps its breakdown and basis as the text the fee engine (``fees``) gave when it
was made, in the language then active (Chinese): the fee notice is a record. Shown to
someone reading in English, each stored text is matched back to the engine's message it
came from — a plain message (an article of 《诉讼费用交纳办法》, a line label) or one of the
engine's formatted messages ("%(high)s元以下部分：每件%(fee)s元"), whose parts are said
again the same way — and rendered from the catalogue. Text the engine never wrote (a
court's own note) is shown as it is."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from django.utils.translation import get_language, gettext

from . import fees

_PARAM = re.compile(r"%\((\w+)\)s")


@functools.cache
def _formats() -> tuple[tuple[str, re.Pattern], ...]:
    """The engine's formatted messages (its ``gettext_noop`` calls), each with a pattern
    matching the Chinese text it renders to, capturing its params."""
    tree = ast.parse(Path(fees.__file__).read_text(encoding="utf-8"))
    messages = [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "gettext_noop"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
    formats = []
    for message in messages:
        pieces = _PARAM.split(message)  # text, name, text, name, …, text
        pattern = "".join(
            f"(?P<{piece}>.+?)" if i % 2 else re.escape(piece) for i, piece in enumerate(pieces)
        )
        formats.append((message, re.compile(pattern, re.DOTALL)))
    # The most specific (the most fixed text) first.
    return tuple(sorted(formats, key=lambda f: -len(_PARAM.sub("", f[0]))))


def _documents() -> dict[str, str]:
    """A province's fee document (data) → its English name, where the data gives one."""
    return {
        entry["document"]: entry["document_en"]
        for entry in fees.fee_ranges().values()
        if isinstance(entry, dict) and entry.get("document") and entry.get("document_en")
    }


def shown(text: object) -> str:
    """``text`` as the fee engine would say it in the active language."""
    text = str(text)
    if not text:
        return text
    if (get_language() or "").startswith("en") and text in _documents():
        return _documents()[text]
    translated = gettext(text)
    if translated != text:
        return translated
    for message, pattern in _formats():
        match = pattern.fullmatch(text)
        if match:
            params = {name: shown(value) for name, value in match.groupdict().items()}
            return gettext(message) % params
    return text
