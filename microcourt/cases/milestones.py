"""A case's timeline (案件进程): the milestones a party cares about, read from the ledger.

The ledger records everything — every chat message, read mark, look at sealed material — and
that is right for an audit log; a timeline built from all of it grew by a row per chat message
and buried the acceptance, the fee and the service under them. Only the entries named here are
milestones. They are named by app and ``LedgerEvent`` member rather than imported, because the
apps that declare most of them sit above ``cases`` (ARCHITECTURE §3); ``milestone_codes``
resolves them through the ledger's registry and the tests check that every name exists.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from microcourt.ledger import events as ledger_events
from microcourt.ledger import selectors as ledger_selectors

from . import policies

MILESTONES: dict[str, frozenset[str]] = {
    "cases": frozenset(
        {
            "CASE_OPENED",
            "CASE_ACCEPTED",
            "CASE_NUMBER_ASSIGNED",
            "CASE_TRIAL_STARTED",
            "CASE_CLOSED",
            "CASE_WITHDRAWN",
            "PARTICIPANT_ADDED",  # a party joined, a judge was assigned (分案)
            "PARTICIPANT_LINKED",
            "CASE_PROCEDURE_SET",  # summary or small claims: shorter limits, a halved fee
        }
    ),
    "filing": frozenset(
        {
            "SUBMITTED",
            "FORWARDED",
            "CORRECTION_REQUESTED",
            "CORRECTED",
            "ACCEPTED",
            "REJECTED",
            "TRANSFERRED",
            "WITHDRAWN",
            "DOCUMENT_ISSUED",
            "CASE_LINKED",
            "DEEMED_WITHDRAWN",
        }
    ),
    "payments": frozenset({"ORDER_CREATED", "ORDER_PAID", "REFUND_SUCCEEDED", "RELIEF_DECIDED"}),
    "evidence": frozenset({"EXHIBIT_SUBMITTED", "CROSS_EXAMINATION_OPENED"}),
    "service": frozenset({"SERVED", "EFFECTIVE", "NOTICE_PUBLISHED", "FAILED"}),
}


@functools.cache
def milestone_codes() -> frozenset[int]:
    """The ledger codes of the milestones (the registry is fixed once the apps are loaded)."""
    return frozenset(
        event.code
        for event in ledger_events.registry()
        if event.name in MILESTONES.get(event.app, frozenset())
    )


def milestones(case_id: int) -> list[dict[str, Any]]:
    """The case's milestones, oldest first: ``{"at", "code", "label"}``."""
    return [
        {"at": e.created_at, "code": e.code, "label": str(ledger_selectors.label(e.code))}
        for e in ledger_selectors.entries_for_case(case_id, codes=milestone_codes())
    ]


# --- The case page's timeline: milestones for the parties, the full record for the court ----

# What a party is shown, by ledger event: (key, label or None for the event's own label, how
# repeats are told apart). Events sharing a key are one milestone (acceptance is recorded as
# the filing's acceptance, the case's acceptance and its number: the party sees 立案受理 with
# the 案号 once). ``once``: the first only; otherwise a key of the entry's details, so the
# same documents served on three people are one 送达 and a second fee notice is its own row.
PARTY: dict[tuple[str, str], tuple[str, Any, str]] = {
    ("cases", "CASE_OPENED"): ("registered", None, "once"),
    ("filing", "ACCEPTED"): ("accepted", _("立案受理"), "once"),
    ("cases", "CASE_ACCEPTED"): ("accepted", _("立案受理"), "once"),
    ("cases", "CASE_NUMBER_ASSIGNED"): ("accepted", _("立案受理"), "once"),
    ("filing", "REJECTED"): ("rejected", None, "once"),
    ("filing", "TRANSFERRED"): ("transferred", None, "once"),
    ("filing", "WITHDRAWN"): ("withdrawn", _("撤回起诉"), "once"),
    ("cases", "CASE_WITHDRAWN"): ("withdrawn", _("撤回起诉"), "once"),
    ("filing", "DEEMED_WITHDRAWN"): ("deemed_withdrawn", None, "once"),
    ("cases", "PARTICIPANT_ADDED"): ("judge", _("确定承办法官"), "once"),  # judges only
    ("courts", "CASE_ASSIGNED"): ("judge", _("确定承办法官"), "once"),  # 分案
    ("courts", "CASE_REASSIGNED"): ("reassigned", None, "object"),
    ("payments", "ORDER_CREATED"): ("fee_notice", None, "order"),
    ("payments", "ORDER_PAID"): ("fee_paid", None, "object"),
    ("payments", "RELIEF_DECIDED"): ("relief", None, "object"),
    ("payments", "REFUND_SUCCEEDED"): ("refund", None, "object"),
    ("filing", "DOCUMENT_ISSUED"): ("documents", None, "kind"),
    ("service", "SERVED"): ("served", _("文书送达"), "documents"),
    ("service", "NOTICE_PUBLISHED"): ("served_by_notice", None, "documents"),
    ("evidence", "CROSS_EXAMINATION_OPENED"): ("cross_examination", None, "period"),
    ("cases", "CASE_TRIAL_STARTED"): ("trial", None, "once"),
    ("cases", "CASE_CLOSED"): ("closed", None, "once"),
}


@functools.cache
def _party_events() -> dict[int, tuple[str, Any, str]]:
    return {
        event.code: PARTY[(event.app, event.name)]
        for event in ledger_events.registry()
        if (event.app, event.name) in PARTY
    }


def _details(entry) -> dict[str, Any]:
    return entry.details if isinstance(entry.details, dict) else {}


def party_milestones(case, earlier: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """What a party follows, oldest first, each once: ``{"at", "code", "label"}``. ``earlier``
    are the filing's steps before it became this case (提交申请, 补正 …: the ledger records
    them before the case exists); a case that came from an online filing is not shown as
    登记案件 apart from its acceptance, which is one row with its 案号."""
    events = _party_events()
    rows = sorted(earlier, key=lambda row: row["at"])
    seen: set[tuple[str, Any]] = set()
    for entry in ledger_selectors.entries_for_case(case.pk, codes=events):
        key, label, repeats = events[entry.code]
        details = _details(entry)
        if key == "registered" and rows:
            continue  # accepted from its filing: 立案受理 says it
        if key == "judge" and details.get("role") != "judge":
            continue  # parties and agents joining are not a step of the case
        value = details.get(repeats) if repeats != "once" else None
        marker = (key, tuple(value) if isinstance(value, list) else value)
        if marker in seen:
            continue
        seen.add(marker)
        text = str(label if label is not None else ledger_selectors.label(entry.code))
        if key == "accepted" and case.number:
            text = _("%(step)s · %(number)s") % {"step": text, "number": case.number}
        rows.append({"at": entry.created_at, "code": entry.code, "label": text})
    return rows


def full_record(case_id: int, earlier: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Everything the ledger holds for the case, oldest first, for the court on the case."""
    rows = list(earlier) + [
        {"at": e.created_at, "code": e.code, "label": str(ledger_selectors.label(e.code))}
        for e in ledger_selectors.entries_for_case(case_id)
    ]
    return sorted(rows, key=lambda row: row["at"])


def timeline(case, actor, earlier: Iterable[dict[str, Any]] = ()) -> tuple[list[dict], bool]:
    """The case page's 案件进程 for ``actor`` (bound to the case): the full record for the
    court's side, the milestones for everyone else. Returns ``(rows, full)``."""
    if policies.is_court_side(actor, case):
        return full_record(case.pk, earlier), True
    return party_milestones(case, earlier), False
