"""A dossier's catalogue, said in the reader's language when shown.

A build keeps its catalogue (目录) as it was bound, in Chinese, the language of the court's
file and of its PDF. On the page, each section, category and title is said again in the
active language: a text that is one of the interface's own words ("证据材料", "送达凭证")
from the catalogue; a title made of such a word and data ("证据3：借条",
"送达凭证：李四") as the word in the reader's language followed by the data. Data (file
names, evidence titles, people's names) stays as it is."""

from __future__ import annotations

import re

from django.utils.translation import gettext

# "证据3：借条", "送达凭证：李四": a label, an optional number, a full-width colon, the rest.
_LABELLED = re.compile(r"(?P<label>[^：]+?)(?P<number>\d*)：(?P<rest>.+)", re.DOTALL)


def shown(text: object) -> str:
    text = str(text)
    if not text:
        return text
    translated = gettext(text)
    if translated != text:
        return translated
    match = _LABELLED.fullmatch(text)
    if match and gettext(match["label"]) != match["label"]:
        label = gettext(match["label"])
        if match["number"]:
            label = f"{label} {match['number']}"
        return f"{label}: {shown(match['rest'])}"
    return text
