"""Hearings API: rescheduling and cancelling a session, a party's request to attend offline
and the court's decision, the notices served, the session's .ics, and "my hearings".
Scheduling itself is ``POST /cases/{case_id}/sessions`` (api/sessions.py). Anyone without
standing on the session's cases gets 404."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from microcourt.core.actor import actor_of
from microcourt.core.errors import NotFound

from .. import calendar, notices, policies, selectors
from ..actions import scheduling
from ..models import OfflineRequest
from ..schemas import SessionOut

router = Router(tags=["hearings"])


class RescheduleIn(Schema):
    starts_at: dt.datetime
    reason: str = Field(..., max_length=200, description="改期原因")
    duration_minutes: int | None = Field(None, ge=5, le=600)
    venue: str | None = Field(None, max_length=100)
    notice_waived: bool = Field(False, description="当事人放弃三日通知期间（须写明情况）")
    waiver_note: str = Field("", max_length=300)
    rest_day: bool = Field(False, description="法院确需在休息日开庭")


class CancelIn(Schema):
    reason: str = Field(..., max_length=200, description="取消原因")


class OfflineRequestIn(Schema):
    reason: str = Field(
        ..., max_length=1000, description="申请线下参加的理由（在线诉讼规则第五条）"
    )


class OfflineDecideIn(Schema):
    grant: bool
    note: str = Field("", max_length=500, description="审查意见（不准许时必填）")
    venue: str = Field("", max_length=100, description="线下参加的法庭（空：本院）")


class OfflineRequestOut(Schema):
    id: int
    session_id: int
    seat_id: int
    seat_label: str
    reason: str
    status: str
    status_label: str
    decision_note: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class NoticeOut(Schema):
    seat_id: int
    seat_label: str
    document: str
    served: bool
    service_id: int | None


class MySessionOut(SessionOut):
    seat_id: int
    seat_label: str
    participation: str
    participation_label: str
    calendar_url: str
    enter_url: str


def _request_out(r: OfflineRequest) -> dict:
    return {
        "id": r.pk,
        "session_id": r.seat.session_id,
        "seat_id": r.seat_id,
        "seat_label": r.seat.label,
        "reason": r.reason,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "decision_note": r.decision_note,
        "created_at": r.created_at,
        "decided_at": r.decided_at,
    }


@router.post("/sessions/{session_id}/reschedule", response=SessionOut)
def session_reschedule(request: HttpRequest, session_id: int, payload: RescheduleIn):
    """改期 (the court's people on the case): the new time is checked like a new session;
    the notices are served again and everyone is told."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    session = scheduling.session_reschedule(
        session=session,
        actor=actor,
        starts_at=payload.starts_at,
        reason=payload.reason,
        duration_minutes=payload.duration_minutes,
        venue=payload.venue,
        notice_waived=payload.notice_waived,
        waiver_note=payload.waiver_note,
        rest_day=payload.rest_day,
    )
    return selectors.session_out(session)


@router.post("/sessions/{session_id}/cancel", response=SessionOut)
def session_cancel(request: HttpRequest, session_id: int, payload: CancelIn):
    """取消 a scheduled session, with its reason; everyone is told."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    return selectors.session_out(
        scheduling.session_cancel(session=session, actor=actor, reason=payload.reason)
    )


@router.get("/sessions/{session_id}/offline-requests", response=list[OfflineRequestOut])
def offline_requests(request: HttpRequest, session_id: int):
    """The court sees every request of the session; a participant their own."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    rows = OfflineRequest.objects.filter(seat__session=session).select_related("seat")
    if not policies.is_court(actor, session):
        rows = rows.filter(seat__user_id=actor.user_id)
    return [_request_out(r) for r in rows.order_by("created_at", "pk")]


@router.post("/sessions/{session_id}/offline-requests", response={201: OfflineRequestOut})
def offline_request_create(request: HttpRequest, session_id: int, payload: OfflineRequestIn):
    """A party (or agent) asks to attend offline, with reasons (在线诉讼规则第五条)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    made = scheduling.offline_request_create(session=session, actor=actor, reason=payload.reason)
    return Status(201, _request_out(made))


@router.post(
    "/sessions/{session_id}/offline-requests/{request_id}/decide", response=OfflineRequestOut
)
def offline_request_decide(
    request: HttpRequest, session_id: int, request_id: int, payload: OfflineDecideIn
):
    """The court grants (the seat attends offline; the session becomes mixed) or refuses."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    found = get_object_or_404(
        OfflineRequest.objects.select_related("seat", "seat__session"),
        pk=request_id,
        seat__session=session,
    )
    decided = scheduling.offline_request_decide(
        request=found, actor=actor, grant=payload.grant, note=payload.note, venue=payload.venue
    )
    return _request_out(decided)


@router.get("/sessions/{session_id}/notices", response=list[NoticeOut])
def session_notices(request: HttpRequest, session_id: int):
    """The 传票 / 出庭通知书 of the current round, per seat, and their service records (the
    court's people on the case)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    policies.require_court(actor, session)
    return [
        {
            "seat_id": row["seat"].pk,
            "seat_label": row["seat"].label,
            "document": row["title"],
            "served": row["served"],
            "service_id": row["service_id"],
        }
        for row in scheduling.notice_status(session)
    ]


@router.get(
    "/sessions/{session_id}/calendar.ics",
    response={200: None},
    openapi_extra={
        "responses": {200: {"description": "text/calendar", "content": {"text/calendar": {}}}}
    },
)
def session_calendar(request: HttpRequest, session_id: int):
    """The session as an iCalendar file (RFC 5545) for whoever holds a seat in it."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    seat = selectors.seat_of(actor, session)
    if seat is None:
        raise NotFound(_("没有找到该庭审"))
    response = HttpResponse(
        calendar.session_ics(session, seat), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename_of(session)}"'
    return response


@router.get("/hearings/mine", response=list[MySessionOut])
def my_sessions(request: HttpRequest):
    """我的庭审: the sessions where the caller holds a seat, from three hours ago on."""
    actor = actor_of(request)
    since = timezone.now() - dt.timedelta(hours=3)
    out = []
    for session in selectors.upcoming_for_user(actor, since=since).prefetch_related("case_links"):
        seat = selectors.seat_of(actor, session)
        out.append(
            {
                **selectors.session_out(session),
                "seat_id": seat.pk,
                "seat_label": seat.label,
                "participation": seat.participation,
                "participation_label": str(seat.get_participation_display()),
                "calendar_url": f"/hearings/{session.pk}/calendar.ics",
                "enter_url": notices.enter_path(session.pk),
            }
        )
    return out
