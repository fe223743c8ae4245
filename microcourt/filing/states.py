"""The filing's declared states (ARCHITECTURE §4.3): the application (``FILING``) and the other
side's invitation to link to the case (``INVITATION``). Who holds which role on an object is
``policies.roles_on`` / ``policies.invitation_roles``; nothing else sets these fields."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.errors import Conflict
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from . import policies
from .events import LedgerEvent
from .models import CaseInvitation, Filing, FilingStatus, InvitationStatus

S = FilingStatus
APPLICANT = policies.APPLICANT
OFFICER = policies.OFFICER_ROLES  # at the filing's court
RECEIVING = policies.RECEIVING  # a receiving role held at the receiving court
PENDING = (S.SUBMITTED, S.CORRECTION_REQUESTED, S.AWAITING_FORWARD)

FILING = StateMachine(
    model=Filing,
    field="status",
    states=S,
    initial=S.DRAFT,
    transitions=[
        # 登记立案规定第二条: the court receives every complaint and gives a dated receipt.
        Transition(
            "submit", (S.DRAFT,), S.SUBMITTED, frozenset({APPLICANT}), event=LedgerEvent.SUBMITTED
        ),
        # 跨域立案: handed in at another court's service centre (or a shared court).
        Transition(
            "submit_cross_region",
            (S.DRAFT,),
            S.AWAITING_FORWARD,
            frozenset({APPLICANT}),
            event=LedgerEvent.SUBMITTED,
        ),
        Transition(
            "forward",
            (S.AWAITING_FORWARD,),
            S.SUBMITTED,
            frozenset({RECEIVING}),
            event=LedgerEvent.FORWARDED,
        ),
        # 登记立案规定第七条; 在线诉讼规则第九条: one notice listing every correction.
        Transition(
            "request_correction",
            (S.SUBMITTED, S.AWAITING_FORWARD),
            S.CORRECTION_REQUESTED,
            OFFICER | {RECEIVING},
            event=LedgerEvent.CORRECTION_REQUESTED,
        ),
        Transition(
            "resubmit",
            (S.CORRECTION_REQUESTED,),
            S.SUBMITTED,
            frozenset({APPLICANT}),
            event=LedgerEvent.CORRECTED,
        ),
        Transition(
            "resubmit_cross_region",
            (S.CORRECTION_REQUESTED,),
            S.AWAITING_FORWARD,
            frozenset({APPLICANT}),
            event=LedgerEvent.CORRECTED,
        ),
        # 民诉法第一百二十六条: file and notify, or rule inadmissible, within the period.
        Transition("accept", (S.SUBMITTED,), S.ACCEPTED, OFFICER, event=LedgerEvent.ACCEPTED),
        Transition(
            "reject",
            (S.SUBMITTED, S.CORRECTION_REQUESTED),
            S.REJECTED,
            OFFICER,
            event=LedgerEvent.REJECTED,
        ),
        # The filing moves to the competent court's queue; its clock starts there anew.
        Transition("transfer", (S.SUBMITTED,), S.SUBMITTED, OFFICER, event=LedgerEvent.TRANSFERRED),
        Transition(
            "withdraw",
            (S.DRAFT, *PENDING),
            S.WITHDRAWN,
            frozenset({APPLICANT}),
            event=LedgerEvent.WITHDRAWN,
        ),
    ],
    roles_of=policies.roles_on,
    on_applied=ledger.transition_recorder(
        case_id_of=lambda filing: filing.case_id,
        digest_of=lambda filing: filing.content_digest,
    ),
)


# --- the other side's invitation (在线诉讼规则第十条) -----------------------------------------

IS = InvitationStatus
INVITEE = policies.INVITEE


def _within_link_period(invitation: CaseInvitation, actor: Actor) -> None:
    """第十条: the link is open for 3 days; after that the party's part stays offline."""
    if timezone.now() > invitation.expires_at:
        raise Conflict(
            _(
                "关联期限已过（在线诉讼规则第十条：3日内），您的诉讼活动将在线下进行，如有疑问请联系法院。"
            ),
            code="invitation_expired",
        )


def _record_invitation(
    *, obj: CaseInvitation, transition: Transition, actor: Actor, source: str, note: str
) -> None:
    assert transition.event is not None  # every transition of this machine has one
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=obj.case_id,
        data={
            "object": f"{obj._meta.label}:{obj.pk}",
            "participant": obj.participant_id,
            "transition": transition.name,
            "from": source,
            "to": transition.target,
            "note": note,
        },
    )


INVITATION = StateMachine(
    model=CaseInvitation,
    field="status",
    states=IS,
    initial=IS.SENT,
    transitions=[
        # The named party, verified as that person, links within the 3 days.
        Transition(
            "link",
            (IS.SENT,),
            IS.LINKED,
            frozenset({INVITEE}),
            check=_within_link_period,
            event=LedgerEvent.CASE_LINKED,
        ),
        # The same person, proven the same way, links later (opening a document served on
        # them); the stages stay offline as they were.
        Transition(
            "link_late",
            (IS.SENT, IS.EXPIRED),
            IS.LINKED,
            frozenset({INVITEE}),
            event=LedgerEvent.CASE_LINKED,
        ),
        # No link within the 3 days: the party's part proceeds offline.
        Transition(
            "expire",
            (IS.SENT,),
            IS.EXPIRED,
            frozenset({SYSTEM}),
            event=LedgerEvent.INVITATION_EXPIRED,
        ),
    ],
    roles_of=policies.invitation_roles,
    on_applied=_record_invitation,
)
