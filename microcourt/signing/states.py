"""The signature request's declared states (ARCHITECTURE §4.3): pending → signed by its
signer, or pending → cancelled by whoever asked for it (or the system, for another app).

Each transition writes its own ledger entry whose subject is the document as it was asked to
be signed; the signature itself is a second entry, written by ``pdf_sign``, whose subject is
the signed file (so the file leads to it)."""

from __future__ import annotations

from typing import Any

from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from . import policies
from .events import LedgerEvent
from .models import RequestStatus, SignatureRequest

S = RequestStatus


def _recorded(*, obj: Any, transition: Transition, actor: Actor, source: str, note: str) -> None:
    assert transition.event is not None  # every transition below names its code
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=obj.case_id,
        subject_digest=f"sha256:{obj.source_sha256}",
        data={
            "request": obj.pk,
            "transition": transition.name,
            "from": source,
            "to": transition.target,
            "note": note,
        },
    )


SIGNATURE_REQUEST = StateMachine(
    model=SignatureRequest,
    field="status",
    states=S,
    initial=S.PENDING,
    transitions=[
        # 在线诉讼规则第三十三条: the signer's e-signature, after a fresh identity check.
        Transition(
            "sign",
            (S.PENDING,),
            S.SIGNED,
            frozenset({policies.SIGNER}),
            event=LedgerEvent.REQUEST_SIGNED,
        ),
        Transition(
            "cancel",
            (S.PENDING,),
            S.CANCELLED,
            frozenset({policies.REQUESTER, SYSTEM}),
            event=LedgerEvent.REQUEST_CANCELLED,
        ),
    ],
    roles_of=policies.roles_of,
    on_applied=_recorded,
)
