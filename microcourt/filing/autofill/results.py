"""What auto-fill hands back: plain, frozen data for the filing wizard to show the user for
confirmation. Nothing here is trusted or stored; ``issues`` are stable codes (never values,
which may be ID numbers) saying what a person should check."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, Literal

Side = Literal["plaintiff", "defendant", "third_party", ""]
Kind = Literal["natural", "legal", "other"]
Source = Literal["text_pdf", "ocr"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


@dataclasses.dataclass(frozen=True)
class PartyGuess:
    """A party as read from a document. ``ethnicity`` is written the way complaints write
    it (汉族), also when read from an ID card (which prints 汉)."""

    side: Side = ""
    kind: Kind = "natural"
    name: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    ethnicity: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    uscc: str = ""
    legal_representative: str = ""
    confidence: float = 0.0
    issues: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(self)


@dataclasses.dataclass(frozen=True)
class ClaimGuess:
    """One numbered 诉讼请求; ``amount`` is the item's principal money figure in yuan."""

    text: str
    amount: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(self)


@dataclasses.dataclass(frozen=True)
class ComplaintGuess:
    parties: tuple[PartyGuess, ...] = ()
    claims: tuple[ClaimGuess, ...] = ()
    facts: str = ""
    court_name: str = ""
    cause: str = ""
    source: Source = "text_pdf"
    confidence: float = 0.0
    issues: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(self)
