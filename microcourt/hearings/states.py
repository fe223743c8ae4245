"""The declared states of a session and of a seat (ARCHITECTURE §4.3).

A session is scheduled, opened by the presiding judge, recessed and resumed, and closed; a
scheduled session may be cancelled. A seat is invited, waits in the waiting room, is admitted
by the clerk (or the judge), and may be removed by the judge and admitted again.
"""

from __future__ import annotations

from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from . import policies
from .events import LedgerEvent
from .models import Seat, SeatStatus, Session, SessionStatus

S = SessionStatus
PRESIDING = "presiding"  # the presiding judge (审判长) of the session's case
COURT = "court"  # any of the court's people on the case (judge, assistant, clerk, mediator)
HOLDER = "holder"  # the person in a seat


def session_roles(actor: Actor, session: Session) -> set[str]:
    if actor.is_system:
        return {SYSTEM}
    return set(policies.session_roles(actor, session))


def _record_session(*, obj: Session, transition: Transition, actor: Actor, source: str, note: str):
    assert transition.event is not None
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=obj.case_id,
        data={
            "session": obj.pk,
            "transition": transition.name,
            "from": source,
            "to": transition.target,
            **({"note": note} if note else {}),
        },
    )


SESSION = StateMachine(
    model=Session,
    field="status",
    states=S,
    initial=S.SCHEDULED,
    transitions=[
        Transition(
            "open", (S.SCHEDULED,), S.OPEN, frozenset({PRESIDING}), event=LedgerEvent.OPENED
        ),
        Transition(
            "recess", (S.OPEN,), S.RECESS, frozenset({PRESIDING}), event=LedgerEvent.RECESSED
        ),
        Transition(
            "resume", (S.RECESS,), S.OPEN, frozenset({PRESIDING}), event=LedgerEvent.RESUMED
        ),
        Transition(
            "close", (S.OPEN, S.RECESS), S.CLOSED, frozenset({PRESIDING}), event=LedgerEvent.CLOSED
        ),
        Transition(
            "cancel", (S.SCHEDULED,), S.CANCELLED, frozenset({COURT}), event=LedgerEvent.CANCELLED
        ),
    ],
    roles_of=session_roles,
    on_applied=_record_session,
)

T = SeatStatus


def seat_roles(actor: Actor, seat: Seat) -> set[str]:
    if actor.is_system:
        return {SYSTEM}
    roles = set(policies.session_roles(actor, seat.session))
    if actor.user_id is not None and actor.user_id == seat.user_id:
        roles.add(HOLDER)
    return roles


def _record_seat(*, obj: Seat, transition: Transition, actor: Actor, source: str, note: str):
    if transition.event is None:
        return
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=obj.case_id,
        data={
            "session": obj.session_id,
            "seat": obj.pk,
            "role": obj.role,
            "transition": transition.name,
            "from": source,
            "to": transition.target,
            **({"note": note} if note else {}),
        },
    )


SEAT = StateMachine(
    model=Seat,
    field="status",
    states=T,
    initial=T.INVITED,
    transitions=[
        # The holder arrives (after the device check, the face re-check and the rules).
        Transition("wait", (T.INVITED, T.WAITING), T.WAITING, frozenset({HOLDER})),
        # The clerk (or the judge) checks identity and lets the person in.
        Transition(
            "admit",
            (T.INVITED, T.WAITING, T.REMOVED),
            T.ADMITTED,
            frozenset({COURT, SYSTEM}),
            event=LedgerEvent.ADMITTED,
        ),
        Transition(
            "remove",
            (T.INVITED, T.WAITING, T.ADMITTED),
            T.REMOVED,
            frozenset({PRESIDING}),
            event=LedgerEvent.REMOVED,
        ),
    ],
    roles_of=seat_roles,
    on_applied=_record_seat,
)


# -- 庭审笔录 (transcripts) ----------------------------------------------------------------
#
# drafting (the lines are written and corrected while the hearing goes on)
#   → reading   "send": the clerk sends the PDF to every participant to read and sign
#               within 5 days (民事诉讼法第一百五十条; 在线诉讼规则第三十四条)
#   → reading   "resend": after a correction decision, a new revision to read and sign again
#   → signed    "complete": everyone signed or refused (记明情况附卷); filed in the e-dossier
# drafting → stands_in  "stand_in": summary procedure, every party consented (录音录像规定第八条)

from .models import TranscriptRecord, TranscriptStatus  # noqa: E402

R = TranscriptStatus


def transcript_roles(actor: Actor, record: TranscriptRecord) -> set[str]:
    return session_roles(actor, record.session)


def _record_transcript(
    *, obj: TranscriptRecord, transition: Transition, actor: Actor, source: str, note: str
):
    assert transition.event is not None
    digest = f"sha256:{obj.head_sha256 or obj.pdf_sha256}" if obj.pdf_sha256 else None
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=obj.case_id,
        subject_digest=digest,
        data={
            "session": obj.session_id,
            "record": obj.pk,
            "revision": obj.revision,
            "transition": transition.name,
            "from": source,
            "to": transition.target,
            **({"note": note} if note else {}),
        },
    )


TRANSCRIPT = StateMachine(
    model=TranscriptRecord,
    field="status",
    states=R,
    initial=R.DRAFTING,
    transitions=[
        Transition(
            "send", (R.DRAFTING,), R.READING, frozenset({COURT}), event=LedgerEvent.TRANSCRIPT_SENT
        ),
        Transition(
            "resend",
            (R.READING,),
            R.READING,
            frozenset({COURT}),
            event=LedgerEvent.TRANSCRIPT_RESENT,
        ),
        Transition(
            "complete",
            (R.READING,),
            R.SIGNED,
            frozenset({SYSTEM}),
            event=LedgerEvent.TRANSCRIPT_COMPLETED,
        ),
        Transition(
            "stand_in",
            (R.DRAFTING,),
            R.STANDS_IN,
            frozenset({PRESIDING}),
            event=LedgerEvent.TRANSCRIPT_STANDS_IN,
        ),
    ],
    roles_of=transcript_roles,
    on_applied=_record_transcript,
)
