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
from typing import Any

from microcourt.ledger import events as ledger_events
from microcourt.ledger import selectors as ledger_selectors

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
