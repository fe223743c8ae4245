"""分案: which judge a division's rule picks among those who may take the case. Pure: the
candidates, their open caseloads and the rotation pointer come in, a user id (or None, the
head's queue) goes out; ``cases.actions.case_assign`` reads the data and writes the result."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from .models import AssignmentKind


def weight(open_cases: int) -> float:
    """A judge with no open case is twice as likely as one with one, three times as likely
    as one with two …: the division's load evens out without making the newest case wait
    for the least busy judge alone (a rule the parties could game by timing their filing)."""
    return 1.0 / (1 + max(open_cases, 0))


def choose(
    kind: str,
    candidates: Sequence[int],
    *,
    load: Mapping[int, int] | None = None,
    last: int | None = None,
    rng: random.Random | None = None,
) -> int | None:
    """The judge (user id) the rule gives the case to; ``None`` when the head assigns by hand
    or nobody may take it. Candidates are in a stable order (by id), so rotation goes round
    the same way every time; a judge who is out of the list this once (回避, a party) is
    skipped and keeps their turn for the next case."""
    ordered = sorted(set(candidates))
    if not ordered or kind == AssignmentKind.MANUAL:
        return None
    if kind == AssignmentKind.ROTATION:
        after = [c for c in ordered if last is not None and c > last]
        return (after or ordered)[0]
    load = load or {}
    rng = rng or random.SystemRandom()
    return rng.choices(ordered, weights=[weight(load.get(c, 0)) for c in ordered], k=1)[0]
