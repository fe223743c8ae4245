"""The declared states of a service (ARCHITECTURE §4.3).

A service is pending from the moment it goes out until the law says it took effect or it
could not: only the system moves it, from recorded facts — what the channels reported and
the recipient's opening (在线诉讼规则第三十一条, ``receipts.effect_of``), the post office's
answer as the clerk recorded it (民诉法第九十一条), the end of a public notice's thirty days
(第九十五条). Nobody marks a service served by hand. Re-service is a new service, so no
state leads back.
"""

from __future__ import annotations

from typing import Any

from microcourt.cases import policies as case_policies
from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from .events import LedgerEvent
from .models import Service, Status

S = Status


def roles_of(actor: Actor, service: Service) -> set[str]:
    """The system, or the roles the actor holds on the service's case."""
    if actor.is_system:
        return {SYSTEM}
    return set(case_policies.case_roles(actor, service.case))


def documents_digest(service: Service) -> str:
    """The subject of a service's entries: the documents served, in order."""
    return ledger.digest_of(d.sha256.encode() for d in service.documents.all())


def _record(*, obj: Any, transition: Transition, actor: Actor, source: str, note: str) -> None:
    """The entry of each outcome, with what the certificate and the case timeline read: the
    service, and when and on what ground it took effect (or why it failed)."""
    if transition.event is None:  # every state change is recorded
        raise ValueError(f"transition {transition.name!r} has no ledger code")
    data: dict[str, Any] = {
        "service": obj.pk,
        "transition": transition.name,
        "from": source,
        "to": transition.target,
    }
    if transition.target == S.FAILED:
        data["reason"] = obj.failure_reason
        digest = None
    else:
        data |= {
            "at": obj.effective_at.isoformat(),
            "basis": obj.basis,
            "channel": obj.effective_channel,
        }
        digest = documents_digest(obj)
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=obj.case_id,
        subject_digest=digest,
        data=data,
    )


SYSTEM_ONLY = frozenset({SYSTEM})

SERVICE = StateMachine(
    model=Service,
    field="status",
    states=S,
    initial=S.PENDING,
    transitions=[
        # 在线诉讼规则第三十一条第一款、第二款第一项; 民诉法第九十一条 (signed for); 第九十五条.
        Transition("take_effect", (S.PENDING,), S.SERVED, SYSTEM_ONLY, event=LedgerEvent.EFFECTIVE),
        # 第三十一条第二款第二项: the system shows it was read — presumed, rebuttable.
        Transition("presume", (S.PENDING,), S.PRESUMED, SYSTEM_ONLY, event=LedgerEvent.EFFECTIVE),
        # Every channel failed for good, or the letter came back.
        Transition("fail", (S.PENDING,), S.FAILED, SYSTEM_ONLY, event=LedgerEvent.FAILED),
    ],
    roles_of=roles_of,
    on_applied=_record,
)
