"""The receipt engine: when electronic service took effect (在线诉讼规则第三十一条).

- Sent to an address the recipient provided or confirmed: effective when the message
  **reaches the recipient's system** (第一款; 民诉解释第一百三十五条: the day the court's
  system shows successful sending).
- Otherwise: effective when the recipient **replied or acted** on it (第二款第一项), or
  **presumed** served when the system shows it was **read** (第二款第二项) — rebuttable by
  proof of a system error or that the address is not theirs.
- Several channels: the **earliest** effective one counts (第三款).

Pure: facts in, effect out; the table test in tests/test_receipts.py walks every case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Basis


@dataclass(frozen=True)
class ChannelFact:
    channel: str
    confirmed: bool
    reached_at: dt.datetime | None = None
    read_at: dt.datetime | None = None


@dataclass(frozen=True)
class Effect:
    at: dt.datetime
    basis: str
    channel: str

    @property
    def presumed(self) -> bool:
        return self.basis == Basis.READ


def effect_of(
    facts: Iterable[ChannelFact],
    *,
    acted_at: dt.datetime | None = None,
    acted_channel: str = "platform",
) -> Effect | None:
    """The moment service took effect and why, or None while it has not."""
    candidates = []
    for fact in facts:
        if fact.confirmed and fact.reached_at is not None:
            candidates.append(Effect(fact.reached_at, Basis.REACHED, fact.channel))
        elif not fact.confirmed and fact.read_at is not None:
            candidates.append(Effect(fact.read_at, Basis.READ, fact.channel))
    if acted_at is not None:
        candidates.append(Effect(acted_at, Basis.ACTED, acted_channel))
    if not candidates:
        return None
    # At the same instant, an effective ground beats a presumption.
    return min(candidates, key=lambda e: (e.at, e.presumed))
