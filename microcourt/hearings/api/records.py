"""The recording in the API (issue 16 §9): its state, hash and confirmations; the presiding
judge's permission to download the raw file; the viewer's watermarked stream. Anyone outside
the session's cases gets 404."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from microcourt.core.actor import actor_of

from .. import policies, selectors
from ..actions import recording as actions
from ..models import Recording, RecordingStatus
from ..recording import reads

router = Router(tags=["hearings"])


class SegmentOut(Schema):
    start: dt.datetime | None
    end: dt.datetime | None


class ConfirmationOut(Schema):
    request_id: int = Field(description="the signature request (signing app, /sign/<id>/)")
    user_id: int
    name: str
    status: str = Field(description="pending | signed")
    status_label: str
    signed_at: dt.datetime | None


class RecordingOut(Schema):
    session_id: int
    status: str = Field(description="pending | recording | paused | processing | ready | failed")
    status_label: str
    sha256: str | None
    duration_seconds: float | None
    size: int | None
    segments: list[SegmentOut]
    confirmations: list[ConfirmationOut]
    failure: str | None = Field(description="why the build failed (court staff only)")
    may_download: bool
    download_allowed: list[int] | None = Field(description="user ids (court staff only)")
    page_url: str
    watch_url: str


class PermissionIn(Schema):
    user_id: int = Field(description="a participant of the session", ge=1, le=2**63 - 1)
    allowed: bool = True
    note: str = Field("", max_length=200)


class WatchOut(Schema):
    state: str = Field(
        description="ready | rendering (the viewer's copy) | processing (the video) | "
        "pending (the session is not closed yet) | failed"
    )
    progress: int = Field(description="percent of the viewer's watermarked copy made")
    stream_url: str | None = Field(description="the watermarked video (HTTP Range), when ready")
    page_url: str


def _segments(recording: Recording) -> list[dict]:
    out = []
    for segment in recording.segments or []:
        try:
            start = dt.datetime.fromisoformat(segment["start"])
            end = segment.get("end")
            out.append({"start": start, "end": dt.datetime.fromisoformat(end) if end else None})
        except (KeyError, TypeError, ValueError):
            continue
    return out


def recording_out(recording: Recording, actor) -> dict:
    session = recording.session
    court = policies.is_court(actor, session)
    ready = recording.status == RecordingStatus.READY
    return {
        "session_id": session.pk,
        "status": recording.status,
        "status_label": str(recording.get_status_display()),
        "sha256": recording.sha256 or None,
        "duration_seconds": recording.duration_seconds,
        "size": recording.size if ready else None,
        "segments": _segments(recording),
        "confirmations": reads.confirmations_of(recording),
        "failure": (recording.failure or None) if court else None,
        "may_download": ready and reads.may_download(actor, recording),
        "download_allowed": list(recording.download_allowed or []) if court else None,
        "page_url": reverse("hearing_recording", args=[session.pk]),
        "watch_url": f"/api/v1/sessions/{session.pk}/recording/watch",
    }


@router.get("/sessions/{session_id}/recording", response=RecordingOut)
def recording_get(request: HttpRequest, session_id: int):
    """The recording: status, SHA-256, duration, size, the stretches between recesses and
    who has confirmed the hash (录音录像规定第九条)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    return recording_out(reads.recording_for(actor, session), actor)


@router.post("/sessions/{session_id}/recording/download-permission", response=RecordingOut)
def recording_download_permission(request: HttpRequest, session_id: int, payload: PermissionIn):
    """The presiding judge allows (or, with ``allowed: false``, withdraws) one participant's
    download of the raw file (录音录像规定第十五条)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    recording = actions.recording_download_permission(
        session=session,
        actor=actor,
        user_id=payload.user_id,
        allowed=payload.allowed,
        note=payload.note,
    )
    return recording_out(recording, actor)


@router.get("/sessions/{session_id}/recording/watch", response=WatchOut)
def recording_watch(request: HttpRequest, session_id: int):
    """The viewer's watermarked stream: its URL once made (each time it is handed out is a
    viewing in the ledger), else the progress of making it (ask again)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    state = actions.recording_watch(session=session, actor=actor)
    ready = state["state"] == "ready"
    return {
        **state,
        "stream_url": reverse("hearing_recording_stream", args=[session.pk]) if ready else None,
        "page_url": reverse("hearing_recording", args=[session.pk]),
    }
