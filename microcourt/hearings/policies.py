"""Who may do what with a hearing (docs/adr/0001-policies.md), for the page, the API, the
socket and a direct call alike.

- The court's people on the session's case (judge, assistant, clerk, mediator) schedule,
  reschedule and cancel, admit people from the waiting room and take part at once.
- The case's judge presides (审判长): opens, recesses, resumes and closes, controls the room
  (mute, camera, remove, spotlight, lock, stages, exhibits, witnesses) and sets the live switch.
- A party, an agent or a witness takes part through their seat: after a face check within the
  last 30 minutes (在线诉讼规则第七条), the courtroom rules acknowledged (第二十七条) and, with
  the waiting room on, once the clerk has admitted them.
- Anyone else: "not found".
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import Case, ParticipantRole
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, NotFound

from .models import COURT_SEATS, AttendanceKind, Seat, SeatRole, SeatStatus, Session, SessionStatus

PRESIDING = "presiding"
COURT = "court"
# The case roles that run a session, and the one that presides.
COURT_CASE_ROLES = frozenset(
    {
        ParticipantRole.JUDGE,
        ParticipantRole.JUDGE_ASSISTANT,
        ParticipantRole.CLERK,
        ParticipantRole.MEDIATOR,
    }
)
# 在线诉讼规则第七条: identity is checked again before each hearing; we accept a face check
# this recent.
FACE_CHECK_MAX_AGE = dt.timedelta(minutes=30)
LIVE_STATUSES = (SessionStatus.OPEN, SessionStatus.RECESS)
NOT_FOUND_SESSION = _("没有找到该庭审")


def session_roles(actor: Actor, session: Session) -> frozenset[str]:
    """PRESIDING and/or COURT for the court's people on the session's case."""
    roles = case_policies.case_roles(actor, session.case)
    out: set[str] = set()
    if roles & COURT_CASE_ROLES:
        out.add(COURT)
    if ParticipantRole.JUDGE in roles:
        out.add(PRESIDING)
    return frozenset(out)


def is_court(actor: Actor, session: Session) -> bool:
    return actor.is_system or COURT in session_roles(actor, session)


def is_presiding(actor: Actor, session: Session) -> bool:
    return actor.is_system or PRESIDING in session_roles(actor, session)


def require_schedule(actor: Actor, case: Case) -> None:
    """Scheduling is for the court's people on the case; others do not see the control."""
    case_policies.require_visible(actor, case)
    if not (case_policies.case_roles(actor, case) & COURT_CASE_ROLES):
        raise Forbidden(_("只有本案的审判人员或书记员可以排期"))


def require_court(actor: Actor, session: Session) -> None:
    require_visible(actor, session)
    if not is_court(actor, session):
        raise Forbidden(_("只有本案的审判人员或书记员可以进行此操作"))


def require_presiding(actor: Actor, session: Session) -> None:
    require_visible(actor, session)
    if not is_presiding(actor, session):
        raise Forbidden(_("只有审判长可以进行此操作"))


def require_visible(actor: Actor, session: Session) -> None:
    """A session is seen by the people of its case (and of the cases heard with it), and by
    whoever holds a seat in it (a witness has no role in the case)."""
    if actor.is_system:
        return
    if case_policies.case_roles(actor, session.case):
        return
    for case in session.joint_cases.all():
        if case_policies.case_roles(actor, case):
            return
    if actor.user_id is not None and session.seats.filter(user_id=actor.user_id).exists():
        return
    raise NotFound(_("没有找到该庭审"))


def require_not_locked(session: Session, seat: Seat) -> None:
    """In a locked room only the court's seats and people who were already in (and may come
    back after a drop) enter."""
    if not session.locked or seat.role in COURT_SEATS:
        return
    entered = seat.attendance.filter(
        kind__in=(AttendanceKind.JOINED, AttendanceKind.REJOINED)
    ).exists()
    if not entered:
        raise Conflict(_("审判长已锁定法庭，暂时不能进入"))


def require_join(actor: Actor, session: Session, seat: Seat | None) -> Seat:
    """Whether the actor may enter the room now, through ``seat``. Outsiders get NotFound;
    a person with a seat who is not yet allowed in gets a refusal saying what to do."""
    from microcourt.identity import selectors as identity_selectors

    if seat is None:
        raise NotFound(_("没有找到该庭审"))
    if session.status in (SessionStatus.CLOSED, SessionStatus.CANCELLED):
        raise Conflict(_("该庭审已结束或已取消"))
    if seat.role in COURT_SEATS:
        return seat
    require_not_locked(session, seat)
    if seat.status == SeatStatus.REMOVED:
        raise Forbidden(_("您已被审判长请出法庭"))
    identity_selectors.require_fresh_verification(actor, "hearing", FACE_CHECK_MAX_AGE)
    if seat.rules_acknowledged_at is None:
        raise Forbidden(_("请先阅读并确认庭审纪律"))
    if session.status not in LIVE_STATUSES:
        raise Conflict(_("尚未开庭，请在候审室等候"))
    if session.waiting_room and seat.status != SeatStatus.ADMITTED:
        raise Conflict(_("请在候审室等候书记员核对身份后入庭"))
    if seat.role == SeatRole.WITNESS and not seat.called:
        raise Conflict(_("证人请在候审室等候传唤"))
    return seat


# -- 庭审笔录 (transcripts) ----------------------------------------------------------------
#
# - The court's people on the case (the clerk, the judge) read the transcript always and
#   edit its lines while it is being drafted; the presiding judge sets whether the parties
#   read it live, and whether the recording stands in for it (录音录像规定第八条).
# - A participant of the case (a party, an agent, a witness with a seat) reads it after the
#   session, or while it goes on if the judge allowed it; reads, signs or refuses the record
#   sent to them, and asks for corrections (民事诉讼法第一百五十条).
# - Anyone else: "not found".


def require_transcript_staff(actor: Actor, session: Session) -> None:
    """The clerk and the judge of the case edit lines and decide corrections."""
    require_visible(actor, session)
    if not is_court(actor, session):
        raise Forbidden(_("只有本案的审判人员或书记员可以修改笔录"))


def may_read_transcript_now(actor: Actor, session: Session, live_visible: bool) -> bool:
    """Whether a person who may see the session reads its transcript at this moment."""
    if is_court(actor, session):
        return True
    if session.status == SessionStatus.CLOSED:
        return True
    return bool(live_visible) and session.status in LIVE_STATUSES


def require_transcript_read(actor: Actor, session: Session, live_visible: bool) -> None:
    require_visible(actor, session)
    if not may_read_transcript_now(actor, session, live_visible):
        raise Forbidden(_("庭审结束后才能查看笔录，或经审判长准许实时查看"))
