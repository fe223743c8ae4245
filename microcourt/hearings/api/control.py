"""Hearings API: the judge's control of the room and the attendance log.

``POST /sessions/{id}/control`` takes the same ops as the courtroom socket's
``{"action": "control"}`` (hearings.consumers) and answers with the session as it now is;
``GET /sessions/{id}/attendance`` is the attendance log: every line for the court's people,
a participant's own lines for them, with the causes in the reader's language."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from microcourt.core.actor import actor_of

from .. import roomstate, selectors
from ..actions import control
from ..schemas import SessionDetailOut

router = Router(tags=["hearings"])


class ControlIn(Schema):
    op: str = Field(
        "",
        max_length=32,
        description="mute | unmute | mute_all | unmute_all | camera_off | camera_on | "
        "spotlight | lock | unlock | stage | exhibit | page | exhibit_clear | call | excuse | "
        "give_floor | admit | remove | raise_hand | lower_hand",
    )
    seat: int | None = Field(None, description="the seat the op is for")
    value: str | None = Field(None, max_length=500, description="remove: the reason")
    exhibit: int | None = Field(None, description="exhibit: its number in the case")
    case: int | None = Field(None, description="exhibit: its case, in a joint session")
    page: int | None = Field(None, description="exhibit, page: the page shown")
    stage: str | None = Field(None, max_length=32, description="stage: the hearing stage")
    note: str = Field("", max_length=500)


class AttendanceOut(Schema):
    id: int
    seat: int
    seat_label: str
    role: str
    kind: str
    kind_label: str
    cause: str
    cause_label: str
    at: str
    detail: str
    outcome: str = Field(
        description="for a drop: rejoined | rejoined_late | not_returned | pending"
    )
    outcome_label: str


@router.post("/sessions/{session_id}/control", response=SessionDetailOut)
def session_control(request: HttpRequest, session_id: int, payload: ControlIn):
    """The judge's control: mute, camera, spotlight, lock, stage, exhibit, witnesses, the
    floor; admit and remove. A party's attempt is refused and changes nothing."""
    actor, session, _seat = roomstate.standing(actor_of(request), session_id)
    control.control(
        session=session,
        actor=actor,
        op=payload.op,
        seat=payload.seat,
        value=payload.value,
        exhibit=payload.exhibit,
        case=payload.case,
        page=payload.page,
        stage=payload.stage,
        note=payload.note,
    )
    session.refresh_from_db()
    return selectors.session_detail(session, actor)


@router.get("/sessions/{session_id}/attendance", response=list[AttendanceOut])
def session_attendance(request: HttpRequest, session_id: int):
    """在线诉讼规则第二十五条: joins, leaves, drops and rejoins with their causes."""
    actor, session, _seat = roomstate.standing(actor_of(request), session_id)
    mine = None
    if not roomstate.is_court(actor, session):
        mine = list(session.seats.filter(user_id=actor.user_id).values_list("pk", flat=True))
    return [
        selectors.line_out(line, result)
        for line, result in selectors.lines_with_outcome(session, seat_ids=mine)
    ]
