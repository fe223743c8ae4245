"""identity's declared states (ARCHITECTURE §4.3): the reviews court staff decide.

- a document review (证件人工审核) of a verification: pending → passed or rejected;
- a lawyer's licence (律师认证): pending → approved or rejected, and applied for again
  (a new firm, a corrected number) back to pending;
- an organisation's registration (单位认证) that OCR could not confirm: pending → verified
  or rejected.

Other verification results (a face check passed or failed, an in-person check) are facts
recorded when the attempt is made, not states that change. Each applied transition writes
its ledger entry, naming the person it is about (``subject_user_id``) so that they find it in
their data export.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from microcourt.core.actor import Actor
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from . import policies
from .events import LedgerEvent
from .models import LawyerProfile, Organisation, OrgMembership, Verification, VerificationStatus

REVIEWERS = frozenset(policies.REVIEWER_ROLES)
OWNER = frozenset({policies.OWNER})


def _recorder(key: str, subject_of: Callable[[Any], int | None]) -> Callable[..., None]:
    def on_applied(*, obj: Any, transition: Transition, actor: Actor, source: str, note: str):
        assert transition.event is not None  # every transition below names its code
        ledger.record(
            code=transition.event,
            actor=actor,
            data={
                "subject_user_id": subject_of(obj),
                key: obj.pk,
                "transition": transition.name,
                "from": source,
                "to": transition.target,
                "note": note,
            },
        )

    return on_applied


def _representative(organisation: Organisation) -> int | None:
    return (
        organisation.members.filter(role=OrgMembership.Role.LEGAL_REPRESENTATIVE)
        .values_list("user_id", flat=True)
        .first()
    )


VS = VerificationStatus
VERIFICATION = StateMachine(
    model=Verification,
    field="status",
    states=VS,
    initial=VS.PENDING,
    transitions=[
        # 在线诉讼规则第七条: staff confirm the identity from the documents sent.
        Transition(
            "approve", (VS.PENDING,), VS.PASSED, REVIEWERS, event=LedgerEvent.REVIEW_DECIDED
        ),
        Transition(
            "reject", (VS.PENDING,), VS.REJECTED, REVIEWERS, event=LedgerEvent.REVIEW_DECIDED
        ),
    ],
    roles_of=policies.roles_of,
    on_applied=_recorder("verification_id", lambda v: v.user_id),
)

LS = LawyerProfile.Status
LAWYER = StateMachine(
    model=LawyerProfile,
    field="status",
    states=LS,
    initial=LS.PENDING,
    transitions=[
        Transition(
            "approve", (LS.PENDING,), LS.APPROVED, REVIEWERS, event=LedgerEvent.LAWYER_REVIEWED
        ),
        Transition(
            "reject", (LS.PENDING,), LS.REJECTED, REVIEWERS, event=LedgerEvent.LAWYER_REVIEWED
        ),
        # The lawyer sends new details (another firm, a corrected number): reviewed again.
        Transition(
            "reapply",
            (LS.PENDING, LS.APPROVED, LS.REJECTED),
            LS.PENDING,
            OWNER,
            event=LedgerEvent.LAWYER_APPLIED,
        ),
    ],
    roles_of=policies.roles_of,
    on_applied=_recorder("lawyer_id", lambda p: p.user_id),
)

OS = Organisation.Status
ORGANISATION = StateMachine(
    model=Organisation,
    field="status",
    states=OS,
    initial=OS.PENDING,
    transitions=[
        Transition(
            "approve",
            (OS.PENDING,),
            OS.VERIFIED,
            REVIEWERS,
            event=LedgerEvent.ORGANISATION_REVIEWED,
        ),
        Transition(
            "reject", (OS.PENDING,), OS.REJECTED, REVIEWERS, event=LedgerEvent.ORGANISATION_REVIEWED
        ),
    ],
    roles_of=policies.roles_of,
    on_applied=_recorder("organisation_id", _representative),
)
