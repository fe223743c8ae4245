"""Hearing pages: scheduling. The case's sessions and the schedule form (the court's people
on the case), one session's schedule page (time, seats and how each takes part, the notices
served, rescheduling, cancelling, requests to attend offline), the .ics, and 我的庭审 (a
citizen's or lawyer's upcoming sessions, with the offline request form and the way in).
Anyone without standing on the case gets 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, InvalidInput, NotFound, form_refusal

from .. import calendar, notices, policies, selectors
from ..actions import scheduling
from ..models import Mode, OfflineRequest, SessionKind, SessionStatus


def _when(post, prefix: str = "") -> dt.datetime:
    """The date and time fields of a form, as an aware Beijing time."""
    day, time = post.get(f"{prefix}date", "").strip(), post.get(f"{prefix}time", "").strip()
    try:
        naive = dt.datetime.fromisoformat(f"{day}T{time}")
    except ValueError:
        raise InvalidInput(
            _("请选择开庭日期和时间"), fields={"starts_at": _("请选择开庭日期和时间")}
        ) from None
    return timezone.make_aware(
        naive.replace(second=0, microsecond=0), timezone.get_default_timezone()
    )


def _minutes(raw: str | None, default: int | None = 60) -> int | None:
    if raw in (None, "") and default is None:
        return None
    try:
        return int(raw if raw not in (None, "") else default)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("时长无效"), fields={"duration_minutes": _("时长须在5至600分钟之间")}
        ) from None


def _case(request, case_id: int):
    actor = actor_of(request)
    try:
        case = case_selectors.case_for(actor, case_id)
    except NotFound:
        raise Http404 from None
    return actor, case


def _session(request, session_id: int):
    actor = actor_of(request)
    try:
        return actor, selectors.session_for(actor, session_id)
    except NotFound:
        raise Http404 from None


def _may_schedule(actor, case) -> bool:
    try:
        policies.require_schedule(actor, case)
    except DomainError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def case_sessions(request, case_id: int):
    """The case's sessions; the schedule form for the court's people on it."""
    actor, case = _case(request, case_id)
    may_schedule = _may_schedule(actor, case)
    error, status = None, 200
    if request.method == "POST":
        try:
            if not may_schedule:
                policies.require_schedule(actor, case)
            joint = [
                case_selectors.case_for(actor, int(pk))
                for pk in request.POST.getlist("joint_cases")
                if pk.isdigit()
            ]
            session = scheduling.session_schedule(
                case=case,
                actor=actor,
                kind=request.POST.get("kind", ""),
                starts_at=_when(request.POST),
                duration_minutes=_minutes(request.POST.get("duration_minutes")),
                mode=request.POST.get("mode", Mode.ONLINE),
                venue=request.POST.get("venue", ""),
                joint_cases=joint,
                waiting_room=request.POST.get("waiting_room") == "on",
                notice_waived=request.POST.get("notice_waived") == "on",
                waiver_note=request.POST.get("waiver_note", ""),
                rest_day=request.POST.get("rest_day") == "on",
            )
        except DomainError as exc:
            error, status = form_refusal(exc)
        else:
            messages.success(request, _("已排期，传票和出庭通知书正在送达"))
            return redirect("hearings_session_schedule", session.pk)
    proposed = timezone.localtime(scheduling.first_allowed_start(case)) if may_schedule else None
    joint_options = (
        [
            p.case
            for p in case_selectors.panel_cases_for(actor)
            if p.case.pk != case.pk and p.case.status in scheduling.OPEN_CASE
        ]
        if may_schedule
        else []
    )
    return render(
        request,
        "hearings/schedule.html",
        {
            "case": case,
            "sessions": list(
                selectors.sessions_of_case(actor, case).prefetch_related("case_links")
            ),
            "may_schedule": may_schedule,
            "kinds": SessionKind.choices,
            "modes": Mode.choices,
            "joint_options": joint_options,
            "proposed": proposed,
            "earliest": scheduling.earliest_day(),
            "error": error,
            "form": request.POST if error else {},
        },
        status=status,
    )


def _session_post(request, actor, session):
    action = request.POST.get("action", "")
    if action == "reschedule":
        scheduling.session_reschedule(
            session=session,
            actor=actor,
            starts_at=_when(request.POST),
            reason=request.POST.get("reason", ""),
            duration_minutes=_minutes(request.POST.get("duration_minutes"), None),
            venue=request.POST.get("venue"),
            notice_waived=request.POST.get("notice_waived") == "on",
            waiver_note=request.POST.get("waiver_note", ""),
            rest_day=request.POST.get("rest_day") == "on",
        )
        return _("已改期，将重新送达传票并通知各方")
    if action == "cancel":
        scheduling.session_cancel(
            session=session, actor=actor, reason=request.POST.get("reason", "")
        )
        return _("已取消，已通知各方")
    if action == "offline_request":
        scheduling.offline_request_create(
            session=session, actor=actor, reason=request.POST.get("reason", "")
        )
        return _("申请已提交，请等待法院审查")
    if action == "decide":
        raw = request.POST.get("request", "")
        found = (
            OfflineRequest.objects.filter(pk=int(raw), seat__session=session).first()
            if raw.isdigit()
            else None
        )
        if found is None:
            raise InvalidInput(_("没有找到该申请"), fields={"request": _("没有找到该申请")})
        grant = request.POST.get("grant")
        scheduling.offline_request_decide(
            request=found,
            actor=actor,
            grant={"1": True, "0": False}.get(grant, grant),
            note=request.POST.get("note", ""),
            venue=request.POST.get("venue", ""),
        )
        return _("已审查")
    raise InvalidInput(_("请选择操作"), fields={"action": _("请选择操作")})


@login_required
@require_http_methods(["GET", "POST"])
def session_schedule(request, session_id: int):
    """One session: when and how, who and how each takes part, the notices, and the forms."""
    actor, session = _session(request, session_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            done = _session_post(request, actor, session)
        except DomainError as exc:
            error, status = form_refusal(exc)
        else:
            messages.success(request, done)
            return redirect("hearings_session_schedule", session.pk)
    court = policies.is_court(actor, session)
    mine = selectors.seat_of(actor, session)
    requests = OfflineRequest.objects.filter(seat__session=session).select_related("seat")
    if not court:
        requests = requests.filter(seat__user_id=actor.user_id)
    return render(
        request,
        "hearings/schedule_session.html",
        {
            "session": session,
            "case": session.case,
            "court": court,
            "seat": mine,
            "seats": selectors.seats(session),
            "notices": scheduling.notice_status(session) if court else [],
            "requests": list(requests.order_by("-created_at")),
            "scheduled": session.status == SessionStatus.SCHEDULED,
            "may_request": mine is not None
            and not policies.is_court(actor, session)
            and session.status == SessionStatus.SCHEDULED
            and mine.participation != "offline",
            "local_start": timezone.localtime(session.starts_at),
            "enter_url": notices.enter_path(session.pk),
            "error": error,
            "form": request.POST if error else {},
        },
        status=status,
    )


@login_required
@require_GET
def session_calendar(request, session_id: int):
    """The session's .ics for whoever holds a seat in it."""
    actor, session = _session(request, session_id)
    seat = selectors.seat_of(actor, session)
    if seat is None:
        raise Http404
    response = HttpResponse(
        calendar.session_ics(session, seat), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename_of(session)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_hearings(request):
    """我的庭审: upcoming sessions where the user holds a seat."""
    actor = actor_of(request)
    error, status, failed = None, 200, None
    if request.method == "POST":
        raw = request.POST.get("session", "")
        try:
            if not raw.isdigit():
                raise NotFound(_("没有找到该庭审"))
            session = selectors.session_for(actor, int(raw))
            scheduling.offline_request_create(
                session=session, actor=actor, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            error, status = form_refusal(exc)
            failed = int(raw)
        else:
            messages.success(request, _("申请已提交，请等待法院审查"))
            return redirect("hearings_mine")
    since = timezone.now() - dt.timedelta(hours=3)
    rows = []
    for session in selectors.upcoming_for_user(actor, since=since):
        seat = selectors.seat_of(actor, session)
        pending = seat.offline_requests.order_by("-created_at").first()
        rows.append(
            {
                "session": session,
                "seat": seat,
                "start": timezone.localtime(session.starts_at),
                "end": timezone.localtime(session.ends_at),
                "offline": seat.participation == "offline",
                "request": pending,
                "court": policies.is_court(actor, session),
                "enter_url": notices.enter_path(session.pk),
            }
        )
    return render(
        request,
        "hearings/my_hearings.html",
        {"rows": rows, "error": error, "failed": failed, "form": request.POST if error else {}},
        status=status,
    )


urlpatterns: list = [
    path("hearings/mine/", my_hearings, name="hearings_mine"),
    path("hearings/cases/<int:case_id>/", case_sessions, name="hearings_case"),
    path("hearings/<int:session_id>/schedule/", session_schedule, name="hearings_session_schedule"),
    path("hearings/<int:session_id>/calendar.ics", session_calendar, name="hearings_calendar"),
]
