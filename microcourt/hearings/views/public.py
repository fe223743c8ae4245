"""Hearing pages: public hearings (/live/, anyone, no log-in), a case's publicity and the
live switch, 异步审理, and the per-case records of a joint session (联审).

/live/ pages answer 404 for any session that is not public, or whose case is protected: an
outsider cannot tell a private session from one that does not exist. The other pages are
case-scoped: 404 for anyone without standing on the case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from microcourt.cases import actions as case_actions
from microcourt.cases import policies as case_policies
from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound

from .. import policies, selectors
from ..actions import async_trial, joint, live_views, publicity
from ..models import AsyncStagePost, HearingStage, NonPublicGround, SessionStatus


def _errors(exc: DomainError) -> dict:
    return {"message": str(exc.message), "fields": {k: str(v) for k, v in exc.fields.items()}}


# --- /live/ --------------------------------------------------------------------------------


@require_GET
def live_list(request):
    """今日公开庭审: today's public hearings of every court, and replays of finished ones."""
    return render(
        request,
        "hearings/live_list.html",
        {"sessions": live_views.live_today(), "replays": live_views.replays(), "tab": "home"},
    )


@require_GET
def live_watch(request, session_id: int):
    """The read-only player of one public hearing. Over the cap: "直播观看人数已满"."""
    try:
        session = live_views.live_session(session_id)
    except NotFound:
        raise Http404 from None
    full = (
        session.status in live_views.PLAYING
        and live_views.active_viewers(session) >= live_views.viewer_cap()
    )
    context = {
        "session": session,
        "full": full,
        "playing": session.status in live_views.PLAYING,
        "tab": "home",
    }
    return render(
        request,
        "hearings/live_full.html" if full else "hearings/live_watch.html",
        context,
        status=503 if full else 200,
    )


@require_GET
def live_replay(request, session_id: int):
    try:
        session = live_views.replay_session(session_id)
    except NotFound:
        raise Http404 from None
    return render(request, "hearings/live_replay.html", {"session": session, "tab": "home"})


@require_GET
def live_replay_video(request, session_id: int):
    """The public replay's video (a public hearing's recording, no viewer watermark)."""
    try:
        session = live_views.replay_session(session_id)
    except NotFound:
        raise Http404 from None
    name = session.recording.file
    if not name or not default_storage.exists(name):
        raise Http404
    # H4's ranged responder (a video element seeks with Range requests).
    from microcourt.core import downloads

    return downloads.ranged_file(request, name, "video/mp4", f"hearing-{session.pk}.mp4", "inline")


# --- A case's publicity and the live switch --------------------------------------------------


def _case(request, case_id: int):
    actor = actor_of(request)
    try:
        case = case_selectors.case_for(actor, case_id)
    except NotFound:
        raise Http404 from None
    return actor, case


@login_required
@require_http_methods(["GET", "POST"])
def publicity_page(request, case_id: int):
    """公开审理: the ground (court), a party's request not to broadcast, the judge's decision,
    and each session's live switch (the presiding judge)."""
    actor, case = _case(request, case_id)
    roles = case_policies.case_roles(actor, case)
    error = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "ground":
                publicity.publicity_set(
                    case=case,
                    actor=actor,
                    ground=request.POST.get("ground", ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("已保存"))
            elif op == "request":
                publicity.no_broadcast_request(
                    case=case, actor=actor, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("申请已提交，请等待法官审查"))
            elif op == "decide":
                publicity.no_broadcast_decide(
                    case=case,
                    actor=actor,
                    request_id=int(request.POST.get("request") or 0),
                    grant=request.POST.get("grant") == "1",
                    ground=request.POST.get("ground", NonPublicGround.OTHER_LAW),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("已审查"))
            elif op == "switch":
                session = selectors.session_for(actor, int(request.POST.get("session") or 0))
                if session.case_id != case.pk:
                    raise NotFound(_("没有找到该庭审"))
                publicity.session_set_public(
                    session=session, actor=actor, public=request.POST.get("public") == "1"
                )
                messages.success(request, _("已保存"))
            else:
                raise NotFound(_("没有找到"))
            return redirect("hearings_publicity", case.pk)
        except NotFound:
            raise Http404 from None
        except ValueError:
            raise Http404 from None
        except DomainError as exc:
            error = _errors(exc)
    sessions = [
        s
        for s in selectors.sessions_of_case(actor, case)
        if s.status not in (SessionStatus.CLOSED, SessionStatus.CANCELLED)
    ]
    from ..models import CasePublicity

    row = CasePublicity.objects.filter(case=case).first()
    return render(
        request,
        "hearings/publicity.html",
        {
            "case": case,
            "row": row,
            "grounds": [(v, lbl) for v, lbl in NonPublicGround.choices if v],
            "request_grounds": [(g.value, g.label) for g in publicity.REQUEST_GROUNDS],
            "bars": publicity.bars_of_case(case),
            "requests": publicity.no_broadcast_requests(case),
            "sessions": sessions,
            "is_court": bool(roles & policies.COURT_CASE_ROLES),
            "is_judge": "judge" in roles,
            "is_party": bool(case_policies.represented_parties(actor, case)),
            "error": error,
            "tab": "cases",
        },
        status=400 if error else 200,
    )


# --- 异步审理 -----------------------------------------------------------------------------------


def _session(request, session_id: int):
    actor = actor_of(request)
    try:
        return actor, selectors.session_for(actor, session_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def async_page(request, session_id: int):
    """异步审理: the three conditions of 第二十条, the stages' deadlines and every post."""
    actor, session = _session(request, session_id)
    error = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "apply":
                async_trial.async_apply(
                    session=session, actor=actor, reason=request.POST.get("reason", "")
                )
            elif op == "consent":
                async_trial.async_consent(
                    session=session, actor=actor, agree=request.POST.get("agree") == "1"
                )
            elif op == "procedure":
                # The case's procedure, decided on the case by its judge (民诉法第一百六十条起).
                case_actions.case_procedure_set(
                    case=session.case,
                    actor=case_selectors.acting_as(actor, session.case),
                    procedure=request.POST.get("procedure", ""),
                    reason=request.POST.get("reason", ""),
                    parties_agree=request.POST.get("parties_agree") == "1",
                    no_exclusion=request.POST.get("no_exclusion") == "1",
                )
            elif op == "conditions":
                async_trial.async_conditions_set(
                    session=session,
                    actor=actor,
                    simultaneous_hard=request.POST.get("simultaneous_hard") == "1",
                    facts_undisputed=request.POST.get("facts_undisputed") == "1",
                    basis=request.POST.get("basis", ""),
                )
            elif op == "deadline":
                due = _local_datetime(request.POST.get("due_at", ""))
                async_trial.async_deadline_set(
                    session=session, actor=actor, stage=request.POST.get("stage", ""), due_at=due
                )
            elif op == "post":
                async_trial.async_post(
                    session=session,
                    actor=actor,
                    stage=request.POST.get("stage", ""),
                    text=request.POST.get("text", ""),
                    video=request.FILES.get("video"),
                )
            else:
                raise NotFound(_("没有找到"))
            messages.success(request, _("已保存"))
            return redirect("hearings_async", session.pk)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            error = _errors(exc)
    state = async_trial.async_state(session)
    due = async_trial.deadlines(session)
    seat = selectors.seat_of(actor, session)
    now = timezone.now()
    stages = [
        {
            "value": s,
            "label": HearingStage(s).label,
            "due": due.get(s),
            "open": s in due and now <= due[s],
        }
        for s in async_trial.ASYNC_STAGES
    ]
    return render(
        request,
        "hearings/async_trial.html",
        {
            "session": session,
            "state": state,
            "positions": [
                (p.display_name, state.positions.get(p.pk, {}).get("agree")) for p in state.parties
            ],
            "stages": stages,
            "posts": async_trial.posts(session),
            "procedures": list(async_trial.PROCEDURES.items()),
            # The case's procedure does not allow it yet: its judge may decide it here.
            "decide_procedure": policies.is_presiding(actor, session)
            and session.case.procedure not in async_trial.PROCEDURES,
            "is_presiding": policies.is_presiding(actor, session),
            "is_party": bool(case_policies.represented_parties(actor, session.case)),
            "can_post": seat is not None and seat.role in async_trial.POSTING_SEATS,
            "error": error,
            "tab": "cases",
        },
        status=400 if error else 200,
    )


def _local_datetime(value: str):
    """A ``datetime-local`` field (Beijing time) or ISO 8601 text; None when unreadable (the
    action then names the field)."""
    parsed = parse_datetime(value.strip()) if value else None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@login_required
@require_GET
def async_video(request, session_id: int, post_id: int):
    """A post's video, for the people of the case (watched in the page, not offered as a
    download)."""
    _actor, session = _session(request, session_id)
    post = AsyncStagePost.objects.filter(session=session, pk=post_id).exclude(video="").first()
    if post is None or not default_storage.exists(post.video):
        raise Http404
    kind = "video/webm" if post.video.endswith(".webm") else "video/mp4"
    response = FileResponse(default_storage.open(post.video, "rb"), content_type=kind)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


# --- 联审: each case's own record ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def joint_records(request, session_id: int):
    """The session's cases, each with its own record: the court sees every case; a party
    sees only their own case's record. The presiding judge marks the case heard now."""
    actor, session = _session(request, session_id)
    court = policies.is_court(actor, session)
    if request.method == "POST":
        try:
            joint.joint_focus(
                session=session, actor=actor, case_id=request.POST.get("case") or None
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("hearings_joint", session.pk)
    records = []
    for case in joint.cases_of(session):
        if court or case_policies.case_roles(actor, case):
            records.append(joint.case_record(session, case))
    return render(
        request,
        "hearings/joint_records.html",
        {
            "session": session,
            "records": records,
            "focus": joint.now_focus(session),
            "is_presiding": policies.is_presiding(actor, session),
            "cases": joint.cases_of(session) if court else [],
            "tab": "cases",
        },
    )


urlpatterns = [
    path("live/", live_list, name="hearings_live"),
    path("live/<int:session_id>/", live_watch, name="hearings_live_watch"),
    path("live/<int:session_id>/replay/", live_replay, name="hearings_live_replay"),
    path(
        "live/<int:session_id>/replay/video", live_replay_video, name="hearings_live_replay_video"
    ),
    path("hearings/cases/<int:case_id>/publicity/", publicity_page, name="hearings_publicity"),
    path("hearings/<int:session_id>/async/", async_page, name="hearings_async"),
    path(
        "hearings/<int:session_id>/async/posts/<int:post_id>/video",
        async_video,
        name="hearings_async_video",
    ),
    path("hearings/<int:session_id>/cases/", joint_records, name="hearings_joint"),
]
