"""Sessions of a case, and a session's own lifecycle: open, recess, resume, close, join."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of
from microcourt.core.errors import NotFound

from .. import selectors
from ..actions import room, scheduling
from ..schemas import (
    JoinOut,
    ParticipationIn,
    RecessIn,
    SeatOut,
    SessionDetailOut,
    SessionIn,
    SessionOut,
    WitnessIn,
)

router = Router(tags=["hearings"])


def _case(request: HttpRequest, case_id: int) -> tuple:
    actor = actor_of(request)
    case = case_selectors.case_for(actor, case_id)
    return actor, case


@router.get("/cases/{case_id}/sessions", response=list[SessionOut])
def case_sessions(request: HttpRequest, case_id: int):
    """The case's sessions (its own and the joint sessions it is heard in), earliest first."""
    actor, case = _case(request, case_id)
    return [
        selectors.session_out(s)
        for s in selectors.sessions_of_case(actor, case).prefetch_related("case_links")
    ]


@router.post("/cases/{case_id}/sessions", response={201: SessionOut})
def case_session_create(request: HttpRequest, case_id: int, payload: SessionIn):
    """Schedule a session (the court's people on the case). Conflicts are refused; the
    summons goes out through service at least three days before."""
    actor, case = _case(request, case_id)
    joint = []
    for other_id in payload.joint_cases:
        joint.append(case_selectors.case_for(actor, other_id))
    session = scheduling.session_schedule(
        case=case,
        actor=actor,
        kind=payload.kind,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        mode=payload.mode,
        venue=payload.venue,
        procedure=payload.procedure,
        layout=payload.layout,
        joint_cases=joint,
        waiting_room=payload.waiting_room,
        notice_waived=payload.notice_waived,
        waiver_note=payload.waiver_note,
        rest_day=payload.rest_day,
    )
    return Status(201, selectors.session_out(session))


@router.get("/sessions/{session_id}", response=SessionDetailOut)
def session_get(request: HttpRequest, session_id: int):
    actor = actor_of(request)
    return selectors.session_detail(selectors.session_for(actor, session_id), actor)


def _lifecycle(request: HttpRequest, session_id: int, fn, **kwargs) -> dict:
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    return selectors.session_out(fn(session=session, actor=actor, **kwargs))


@router.post("/sessions/{session_id}/open", response=SessionOut)
def session_open(request: HttpRequest, session_id: int):
    """宣布开庭 (the presiding judge): the room opens and recording starts."""
    return _lifecycle(request, session_id, room.session_open)


@router.post("/sessions/{session_id}/recess", response=SessionOut)
def session_recess(request: HttpRequest, session_id: int, payload: RecessIn):
    return _lifecycle(request, session_id, room.session_recess, note=payload.note)


@router.post("/sessions/{session_id}/resume", response=SessionOut)
def session_resume(request: HttpRequest, session_id: int):
    return _lifecycle(request, session_id, room.session_resume)


@router.post("/sessions/{session_id}/close", response=SessionOut)
def session_close(request: HttpRequest, session_id: int):
    return _lifecycle(request, session_id, room.session_close)


@router.post("/sessions/{session_id}/rules", response=SessionDetailOut)
def session_rules(request: HttpRequest, session_id: int):
    """Acknowledge the courtroom rules and the ban on private recording (第二十七条)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    room.seat_acknowledge_rules(session=session, actor=actor)
    return selectors.session_detail(session, actor)


@router.post("/sessions/{session_id}/wait", response=SessionDetailOut)
def session_wait(request: HttpRequest, session_id: int):
    """Enter the waiting room (after a face check within 30 minutes and the rules)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    room.seat_wait(session=session, actor=actor)
    return selectors.session_detail(session, actor)


@router.post("/sessions/{session_id}/join", response=JoinOut)
def session_join(request: HttpRequest, session_id: int, device: str = "", seat: int | None = None):
    """A token for this participant, valid in this session's room only. 404 for anyone
    without a seat. ``device`` (optional, a query parameter the client keeps per device): a
    second device in the same seat replaces the first, which is logged. ``seat``
    (optional): which of the caller's seats, e.g. the physical courtroom's camera."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    if selectors.seat_of(actor, session, seat) is None:
        raise NotFound(_("没有找到该庭审"))
    return room.session_join(session=session, actor=actor, device=device[:64], seat_id=seat)


@router.post("/sessions/{session_id}/seats/{seat_id}/admit", response=SessionDetailOut)
def seat_admit(request: HttpRequest, session_id: int, seat_id: int):
    """The clerk admits a person from the waiting room after checking identity."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    seat = get_object_or_404(session.seats, pk=seat_id)
    room.seat_admit(seat=seat, actor=actor)
    return selectors.session_detail(session, actor)


@router.post("/sessions/{session_id}/participation", response=SessionDetailOut)
def session_participation(request: HttpRequest, session_id: int, payload: ParticipationIn):
    """Take part by video, audio only or text only (a deaf or low-bandwidth party)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    room.seat_set_participation(session=session, actor=actor, participation=payload.participation)
    return selectors.session_detail(session, actor)


@router.post("/sessions/{session_id}/witnesses", response={201: SeatOut})
def session_witness_add(request: HttpRequest, session_id: int, payload: WitnessIn):
    """Seat a witness by their account's phone number (the court's people of the case)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    seat = room.seat_add_witness(
        session=session, actor=actor, name=payload.name, phone=payload.phone
    )
    return Status(201, selectors.seat_out(seat))
