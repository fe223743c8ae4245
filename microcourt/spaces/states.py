"""The case space's declared states (ARCHITECTURE §4.3): one addressee's acknowledgement of a
强提醒. The addressee confirms it, before or after the system has texted them; the system
texts once, only while it is still unconfirmed. The conditional UPDATE of the engine is the
claim: two workers cannot both text, a confirmation and a text cannot both win from pending.
"""

from __future__ import annotations

from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from .events import LedgerEvent
from .models import AckStatus, ReminderAck

S = AckStatus
# The person the key message asks to confirm (no one else confirms for them).
ADDRESSEE = "addressee"


def roles_of(actor: Actor, ack: ReminderAck) -> set[str]:
    if actor.is_system:
        return {SYSTEM}
    return {ADDRESSEE} if actor.user_id is not None and actor.user_id == ack.user_id else set()


def _record(*, obj: ReminderAck, transition: Transition, actor: Actor, source: str, note: str):
    message = obj.reminder.message
    assert transition.event is not None  # every transition of this machine has one
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=message.case_id,
        subject_digest=message.digest,
        data={
            "message": message.pk,
            "ack": obj.pk,
            "transition": transition.name,
            "from": source,
            "to": transition.target,
        },
    )


ACK = StateMachine(
    model=ReminderAck,
    field="status",
    states=S,
    initial=S.PENDING,
    transitions=[
        Transition(
            "acknowledge",
            (S.PENDING, S.ESCALATED),
            S.ACKNOWLEDGED,
            frozenset({ADDRESSEE}),
            event=LedgerEvent.REMINDER_ACKNOWLEDGED,
        ),
        # Not confirmed within SPACES_STRONG_REMINDER_SECONDS: one SMS (强提醒).
        Transition(
            "escalate",
            (S.PENDING,),
            S.ESCALATED,
            frozenset({SYSTEM}),
            event=LedgerEvent.REMINDER_ESCALATED,
        ),
    ],
    roles_of=roles_of,
    on_applied=_record,
)
