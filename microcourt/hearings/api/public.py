"""Public hearings and the other modes, in the API:

- the case's publicity (non-public ground, parties' requests not to broadcast, the judge's
  decision) and the presiding judge's live switch;
- /live: today's public hearings of every court and finished ones for replay, open to anyone
  without logging in; a viewer token within the cap and the rate, its heartbeat and leaving;
- 异步审理 (在线诉讼规则第二十条): applications, consents, the judge's findings, deadlines, posts;
- 联审: which case is being heard now, and one case's own record of the sitting.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of

from .. import selectors
from ..actions import async_trial, joint, live_views, publicity
from ..models import Session
from ..schemas import SessionOut

router = Router(tags=["hearings"])


# --- Publicity and the live switch ----------------------------------------------------------


class PublicIn(Schema):
    public: bool = Field(description="true: broadcast on /live/; refused for a protected case")


class PublicityIn(Schema):
    ground: str = Field(
        "",
        description="'' | state_secret | privacy | minor | trade_secret | divorce | other_law",
    )
    note: str = Field("", max_length=300)


class RequestIn(Schema):
    reason: str = Field(..., max_length=1000)


class DecisionIn(Schema):
    grant: bool
    ground: str = Field("other_law", description="trade_secret | divorce | other_law (if granted)")
    note: str = Field("", max_length=300)


class BarOut(Schema):
    case_id: int
    case_number: str
    reason: str


class RequestOut(Schema):
    id: int
    party: str
    reason: str
    at: dt.datetime
    status: str
    decision_note: str


class PublicityOut(Schema):
    case_id: int
    ground: str
    ground_label: str
    note: str
    bars: list[BarOut]
    requests: list[RequestOut]


def _publicity_out(case) -> dict:
    from ..models import CasePublicity, NonPublicGround

    row = CasePublicity.objects.filter(case=case).first()
    ground = row.ground if row else ""
    return {
        "case_id": case.pk,
        "ground": ground,
        "ground_label": str(NonPublicGround(ground).label) if ground else "",
        "note": row.note if row else "",
        "bars": [b.__dict__ for b in publicity.bars_of_case(case)],
        "requests": [r.__dict__ for r in publicity.no_broadcast_requests(case)],
    }


@router.get("/cases/{case_id}/publicity", response=PublicityOut)
def case_publicity(request: HttpRequest, case_id: int):
    """Whether the case may be broadcast: its ground, what bars it, the parties' requests."""
    case = case_selectors.case_for(actor_of(request), case_id)
    return _publicity_out(case)


@router.post("/cases/{case_id}/publicity", response=PublicityOut)
def case_publicity_set(request: HttpRequest, case_id: int, payload: PublicityIn):
    """The court's people record (or clear) the non-public ground (民事诉讼法第一百三十七条)."""
    actor = actor_of(request)
    case = case_selectors.case_for(actor, case_id)
    publicity.publicity_set(case=case, actor=actor, ground=payload.ground, note=payload.note)
    return _publicity_out(case)


@router.post("/cases/{case_id}/publicity/requests", response={201: RequestOut})
def case_no_broadcast_request(request: HttpRequest, case_id: int, payload: RequestIn):
    """A party asks that the hearing not be broadcast, with reasons (在线诉讼规则第二十七条)."""
    actor = actor_of(request)
    case = case_selectors.case_for(actor, case_id)
    made = publicity.no_broadcast_request(case=case, actor=actor, reason=payload.reason)
    return Status(201, made.__dict__)


@router.post("/cases/{case_id}/publicity/requests/{request_id}/decision", response=RequestOut)
def case_no_broadcast_decide(
    request: HttpRequest, case_id: int, request_id: int, payload: DecisionIn
):
    """The judge grants (kept as the case's ground) or refuses (with reasons) a request."""
    actor = actor_of(request)
    case = case_selectors.case_for(actor, case_id)
    decided = publicity.no_broadcast_decide(
        case=case,
        actor=actor,
        request_id=request_id,
        grant=payload.grant,
        ground=payload.ground,
        note=payload.note,
    )
    return decided.__dict__


@router.post("/sessions/{session_id}/public", response=SessionOut)
def session_public(request: HttpRequest, session_id: int, payload: PublicIn):
    """The presiding judge's live switch; refused (naming ``public``) for a protected case."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    return selectors.session_out(
        publicity.session_set_public(session=session, actor=actor, public=payload.public)
    )


# --- /live: anyone, no log-in ----------------------------------------------------------------


class LiveOut(Schema):
    id: int
    court: str
    case_number: str
    joint_case_numbers: list[str]
    cause: str
    kind: str
    kind_label: str
    starts_at: dt.datetime
    status: str
    status_label: str
    stage_label: str
    watch_url: str


def live_out(session: Session) -> dict:
    from django.urls import reverse

    return {
        "id": session.pk,
        "court": session.case.court.name,
        "case_number": session.case.number or "",
        "joint_case_numbers": [c.number or "" for c in session.joint_cases.all()],
        "cause": session.case.cause,
        "kind": session.kind,
        "kind_label": str(session.get_kind_display()),
        "starts_at": session.starts_at,
        "status": session.status,
        "status_label": str(session.get_status_display()),
        "stage_label": str(session.get_stage_display()),
        "watch_url": reverse("hearings_live_watch", args=[session.pk]),
    }


class ReplayOut(Schema):
    id: int
    court: str
    case_number: str
    cause: str
    kind_label: str
    starts_at: dt.datetime
    closed_at: dt.datetime | None
    duration_seconds: float | None
    replay_url: str


def replay_out(session: Session) -> dict:
    from django.urls import reverse

    return {
        "id": session.pk,
        "court": session.case.court.name,
        "case_number": session.case.number or "",
        "cause": session.case.cause,
        "kind_label": str(session.get_kind_display()),
        "starts_at": session.starts_at,
        "closed_at": session.closed_at,
        "duration_seconds": session.recording.duration_seconds,
        "replay_url": reverse("hearings_live_replay", args=[session.pk]),
    }


class ViewerOut(Schema):
    janus_url: str
    token: str = Field(description="a Janus token for the Streaming plugin only (watch-only)")
    pin: str = Field(description="the pin of the hearing's mountpoints (one per speaker)")
    viewer: str
    heartbeat_seconds: int
    expires_in: int
    ice_servers: list[dict]
    feeds: list[dict] = Field(
        description="[{id: mountpoint to watch, feed: speaker's feed, display: seat label}]"
    )
    status: str


class ViewerIn(Schema):
    viewer: str = Field(..., max_length=64)


class HeartbeatOut(Schema):
    status: str
    stage: str
    stage_label: str
    feeds: list[dict]
    viewers: int


def client_key(request: HttpRequest) -> str:
    from microcourt.identity.logins import client_ip

    return client_ip(request) or "unknown"


@router.get("/live/sessions", response=list[LiveOut], auth=None)
def live_sessions(request: HttpRequest):
    """Today's public hearings of every court (scheduled, open, in recess)."""
    return [live_out(s) for s in live_views.live_today()]


@router.get("/live/replays", response=list[ReplayOut], auth=None)
def live_replays(request: HttpRequest):
    """Finished public hearings whose recording is ready."""
    return [replay_out(s) for s in live_views.replays()]


@router.post("/live/sessions/{session_id}/view", response=ViewerOut, auth=None)
def live_view(request: HttpRequest, session_id: int):
    """A watch-only viewer token (Streaming plugin only) and the mountpoints' pin for an open
    public hearing; 404 for any other session, 409 ``live_full`` over the cap, 429 over the
    rate."""
    session = live_views.live_session(session_id)
    return live_views.live_view_start(session=session, client_key=client_key(request))


@router.post("/live/sessions/{session_id}/heartbeat", response=HeartbeatOut, auth=None)
def live_heartbeat(request: HttpRequest, session_id: int, payload: ViewerIn):
    return live_views.live_view_heartbeat(session_id=session_id, viewer=payload.viewer)


@router.post("/live/sessions/{session_id}/leave", response={204: None}, auth=None)
def live_leave(request: HttpRequest, session_id: int, payload: ViewerIn):
    live_views.live_view_leave(session_id=session_id, viewer=payload.viewer)
    return Status(204, None)


# --- 异步审理 ------------------------------------------------------------------------------------


class AsyncStateOut(Schema):
    procedure: str
    application: dict | None
    positions: list[dict]
    simultaneous_hard: bool
    facts_undisputed: bool
    basis: str
    missing: dict[str, str]
    ready: bool
    deadlines: dict[str, dt.datetime]
    posts: list[dict]


class AsyncApplyIn(Schema):
    reason: str = Field(..., max_length=2000)


class AsyncConsentIn(Schema):
    agree: bool


class AsyncConditionsIn(Schema):
    """Conditions (1) and (3) of 第二十条; the procedure is the case's own
    (``POST /cases/{case_id}/procedure``)."""

    simultaneous_hard: bool
    facts_undisputed: bool
    basis: str = Field(..., max_length=2000)


class AsyncDeadlineIn(Schema):
    stage: str = Field(..., description="investigation | evidence | debate | final_statement")
    due_at: dt.datetime


def post_out(post) -> dict:
    from django.urls import reverse

    return {
        "id": post.pk,
        "stage": post.stage,
        "seat": post.seat.label,
        "case_id": post.seat.case_id,
        "text": post.text,
        "video_url": reverse("hearings_async_video", args=[post.session_id, post.pk])
        if post.video
        else None,
        "video_sha256": post.video_sha256,
        "at": post.created_at.isoformat(),
    }


def async_out(session: Session) -> dict:
    state = async_trial.async_state(session)
    return {
        "procedure": state.procedure,
        "application": {**state.application, "at": state.application["at"].isoformat()}
        if state.application
        else None,
        "positions": [
            {
                "party_id": p.pk,
                "party": p.display_name,
                "agree": state.positions.get(p.pk, {}).get("agree"),
            }
            for p in state.parties
        ],
        "simultaneous_hard": state.simultaneous_hard,
        "facts_undisputed": state.facts_undisputed,
        "basis": state.basis,
        "missing": state.missing,
        "ready": state.ready,
        "deadlines": async_trial.deadlines(session),
        "posts": [post_out(p) for p in async_trial.posts(session)],
    }


def _session(request: HttpRequest, session_id: int):
    actor = actor_of(request)
    return actor, selectors.session_for(actor, session_id)


@router.get("/sessions/{session_id}/async", response=AsyncStateOut)
def async_get(request: HttpRequest, session_id: int):
    """The three conditions of 第二十条 as recorded, the deadlines and every post."""
    _actor, session = _session(request, session_id)
    return async_out(session)


@router.post("/sessions/{session_id}/async/application", response=AsyncStateOut)
def async_apply(request: HttpRequest, session_id: int, payload: AsyncApplyIn):
    actor, session = _session(request, session_id)
    async_trial.async_apply(session=session, actor=actor, reason=payload.reason)
    return async_out(session)


@router.post("/sessions/{session_id}/async/consent", response=AsyncStateOut)
def async_consent(request: HttpRequest, session_id: int, payload: AsyncConsentIn):
    actor, session = _session(request, session_id)
    async_trial.async_consent(session=session, actor=actor, agree=payload.agree)
    return async_out(session)


@router.post("/sessions/{session_id}/async/conditions", response=AsyncStateOut)
def async_conditions(request: HttpRequest, session_id: int, payload: AsyncConditionsIn):
    actor, session = _session(request, session_id)
    async_trial.async_conditions_set(
        session=session,
        actor=actor,
        simultaneous_hard=payload.simultaneous_hard,
        facts_undisputed=payload.facts_undisputed,
        basis=payload.basis,
    )
    return async_out(session)


@router.post("/sessions/{session_id}/async/deadlines", response=AsyncStateOut)
def async_deadline(request: HttpRequest, session_id: int, payload: AsyncDeadlineIn):
    actor, session = _session(request, session_id)
    async_trial.async_deadline_set(
        session=session, actor=actor, stage=payload.stage, due_at=payload.due_at
    )
    return async_out(session)


class PostOut(Schema):
    id: int
    stage: str
    seat: str
    case_id: int
    text: str
    video_url: str | None
    video_sha256: str
    at: str


@router.post("/sessions/{session_id}/async/posts", response={201: PostOut})
def async_post(
    request: HttpRequest,
    session_id: int,
    stage: Form[str],
    text: Form[str] = "",
    video: File[UploadedFile | None] = None,
):
    """A party's statement for one stage (multipart: stage, text and/or video), within the
    stage's deadline; late posts are refused."""
    actor, session = _session(request, session_id)
    post = async_trial.async_post(session=session, actor=actor, stage=stage, text=text, video=video)
    return Status(201, post_out(post))


# --- 联审 -----------------------------------------------------------------------------------------


class FocusIn(Schema):
    case_id: int | None = Field(None, description="the case heard now; null: all together")


class CaseRecordOut(Schema):
    case_id: int
    case_number: str
    seats: list[dict]
    court_seats: list[dict]
    attendance: list[dict]
    stretches: list[dict]


def record_out(record: joint.CaseRecord) -> dict:
    def seat(s) -> dict:
        return {"id": s.pk, "role": s.role, "label": s.label, "case_id": s.case_id}

    return {
        "case_id": record.case.pk,
        "case_number": record.case.number or "",
        "seats": [seat(s) for s in record.seats],
        "court_seats": [seat(s) for s in record.court_seats],
        "attendance": [
            {
                "seat": a.seat_id,
                "label": a.seat.label,
                "kind": a.kind,
                "cause": a.cause,
                "at": a.at.isoformat(),
            }
            for a in record.attendance
        ],
        "stretches": [
            {
                "start": s.start.isoformat(),
                "end": s.end.isoformat() if s.end else None,
                "stage": s.stage,
                "stage_label": s.stage_label,
                "together": s.together,
                "offset_seconds": s.offset_seconds,
            }
            for s in record.stretches
        ],
    }


@router.post("/sessions/{session_id}/joint/focus", response=SessionOut)
def joint_focus(request: HttpRequest, session_id: int, payload: FocusIn):
    """The presiding judge marks which case of a joint session is being heard now."""
    actor, session = _session(request, session_id)
    return selectors.session_out(
        joint.joint_focus(session=session, actor=actor, case_id=payload.case_id)
    )


@router.get("/sessions/{session_id}/cases/{case_id}/record", response=CaseRecordOut)
def joint_case_record(request: HttpRequest, session_id: int, case_id: int):
    """One case's own record of the sitting (联审): its seats, attendance and stretches."""
    actor = actor_of(request)
    _session_obj, record = joint.case_record_for(actor, session_id, case_id)
    return record_out(record)
