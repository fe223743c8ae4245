"""What each case kind means for filing: the 类型代字 of the case it becomes, the case role of
each side, the fee it carries, and the period within which the court decides whether to file
it (民诉法第一百二十六条; 登记立案规定第八条). The figures live in ``data/case_kinds.json``
so a court administrator can correct those not yet checked against the official text."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from microcourt.core.calendar import SHANGHAI, CourtCalendar, DeadlineRule, Period, Unit

from .models import CaseKind, PartySide

DATA_PATH = Path(__file__).resolve().parent / "data" / "case_kinds.json"


@dataclass(frozen=True)
class ReviewPeriod:
    amount: int
    unit: str  # "day" (民诉法第八十五条 counting) or "hour"
    basis: str
    confirmed: bool


@dataclass(frozen=True)
class KindRule:
    kind: str
    type_code: str
    sides: dict[str, str]  # PartySide → cases.ParticipantRole
    review: ReviewPeriod
    fee_case_type: str  # "" when no fee is due on filing


@dataclass(frozen=True)
class Clock:
    started_at: dt.datetime
    due_at: dt.datetime
    basis: str
    provisional: bool


@functools.cache
def kind_rules(path: Path = DATA_PATH) -> dict[str, KindRule]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    rules = {}
    for kind in CaseKind.values:
        entry = raw[kind]  # a kind without its data is a start-up error, not a silent gap
        sides = dict(entry["sides"])
        if set(sides) != set(PartySide.values):
            raise ValueError(f"{path}: {kind} must name the role of every side")
        review = entry["review"]
        if review["unit"] not in ("day", "hour") or int(review["amount"]) <= 0:
            raise ValueError(f"{path}: {kind} has an invalid review period")
        rules[kind] = KindRule(
            kind=kind,
            type_code=entry["type_code"],
            sides=sides,
            review=ReviewPeriod(
                amount=int(review["amount"]),
                unit=review["unit"],
                basis=review["basis"],
                confirmed=bool(review["confirmed"]),
            ),
            fee_case_type=entry.get("fee_case_type", ""),
        )
    return rules


def rule_for(kind: str) -> KindRule:
    return kind_rules()[kind]


def review_clock(kind: str, started_at: dt.datetime, calendar: CourtCalendar) -> Clock:
    """When the court must have decided. Days count per 民诉法第八十五条: the day of receipt
    is not counted and a period ending on a holiday ends on the next working day; the whole
    last day belongs to the court (due at 24:00 Beijing time)."""
    period = rule_for(kind).review
    if period.unit == "hour":
        return Clock(
            started_at=started_at,
            due_at=started_at + dt.timedelta(hours=period.amount),
            basis=period.basis,
            provisional=False,
        )
    deadline = calendar.deadline(
        started_at, DeadlineRule(Period(period.amount, Unit.DAY), period.basis)
    )
    end = dt.datetime.combine(deadline.due + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    return Clock(
        started_at=started_at,
        due_at=end - dt.timedelta(microseconds=1),
        basis=period.basis,
        provisional=deadline.provisional,
    )


def working_days_left(due_at: dt.datetime, calendar: CourtCalendar, now=None) -> int:
    """Court working days from today (Beijing) up to the due day; 0 on the due day itself and
    negative once overdue."""
    today = timezone.localtime(now or timezone.now(), SHANGHAI).date()
    due = timezone.localtime(due_at, SHANGHAI).date()
    return calendar.working_days_between(today, due)


def start_clock(kind: str, at: dt.datetime, calendar: CourtCalendar) -> dict[str, Any]:
    """The filing's field values that (re)start the court's review clock at ``at``: on
    receipt, on forwarding, on transfer, and on the arrival of corrections (登记立案规定第七条)."""
    clock = review_clock(kind, at, calendar)
    return {
        "clock_started_at": clock.started_at,
        "review_due_at": clock.due_at,
        "review_basis": clock.basis,
        "review_provisional": clock.provisional,
    }


def content_digest(content: dict[str, Any]) -> str:
    """The SHA-256 of a submission's canonical JSON: what the ledger records the court
    decided on."""
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()
