"""庭审笔录 in the API (issue 17): the lines of a session (the court always; a participant
after the session, or live with the judge's leave), the clerk's edits with every version,
the judge's live switch, and the record: sending it, signing it (a signature request, then
/sign/<id>/ with a fresh face check), refusing, corrections and their decisions, its PDF.
Anyone outside the session's cases gets 404."""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from microcourt.core.actor import actor_of
from microcourt.core.errors import NotFound

from .. import policies, selectors
from ..actions import transcript as line_actions
from ..actions import transcript_corrections as corrections
from ..actions import transcript_record as actions

router = Router(tags=["hearings"])


class TranscriptLineOut(Schema):
    id: int
    seat_id: int | None
    case_id: int | None = Field(description="the seat's case; null for the court's seats")
    speaker: str = Field(description="the seat's label when the line was spoken")
    started_at: dt.datetime
    ended_at: dt.datetime
    text: str
    gap: str = Field(description="'' | failed | timeout | dropped: speech with no text")
    gap_label: str
    stage: str
    stage_label: str
    edited: bool
    updated_at: dt.datetime = Field(
        description="the line's version: a copy with a later one replaces an earlier one"
    )
    engine_text: str | None = Field(None, description="the engine's first version (court)")
    engine: str | None = None


class TranscriptLinesOut(Schema):
    session_id: int
    case_id: int
    live_visible: bool
    may_edit: bool
    status: str
    session_status: str = Field(description="the session's: scheduled | open | recess | closed")
    cursor: int = Field(description="pass as ``after`` to read only the lines changed since")
    lines: list[TranscriptLineOut]


class TranscriptLinesQuery(Schema):
    case_id: int | None = None
    after: int | None = Field(
        None,
        ge=0,
        le=2**53,
        description="the ``cursor`` of an earlier answer: only the lines written or edited "
        "since (a few seconds of overlap: merge by id and ``updated_at``)",
    )


class TranscriptLineIn(Schema):
    text: str = Field(max_length=20000)


class TranscriptVersionOut(Schema):
    number: int
    text: str
    by: str
    at: dt.datetime
    note: str


class TranscriptLiveIn(Schema):
    visible: bool


class TranscriptSignerOut(Schema):
    user_id: int
    label: str
    status: str = Field(description="pending | signed | refused")
    status_label: str
    signed_at: dt.datetime | None
    refused_at: dt.datetime | None
    reason: str


class TranscriptCorrectionOut(Schema):
    id: int
    line_id: int | None
    omission: bool
    text: str
    reason: str
    requester: str
    status: str = Field(description="pending | accepted | refused")
    status_label: str
    note: str
    decided_at: dt.datetime | None
    after_signing: bool


class TranscriptRecordOut(Schema):
    session_id: int
    case_id: int
    status: str = Field(description="drafting | reading | signed | stands_in")
    status_label: str
    live_visible: bool
    revision: int
    pdf_sha256: str | None
    final_sha256: str | None
    due_on: dt.date | None
    sent_at: dt.datetime | None
    completed_at: dt.datetime | None
    signers: list[TranscriptSignerOut]
    corrections: list[TranscriptCorrectionOut]
    my_status: str | None
    may_edit: bool
    page_url: str
    pdf_url: str | None


class TranscriptRefuseIn(Schema):
    reason: str = Field("", max_length=500)


class TranscriptCorrectionIn(Schema):
    line_id: int | None = Field(None, ge=1, le=2**63 - 1)
    omission: bool = False
    text: str = Field(max_length=2000)
    reason: str = Field("", max_length=500)


class TranscriptDecideIn(Schema):
    accept: bool
    note: str = Field("", max_length=500)


class TranscriptSignOut(Schema):
    request_id: int
    url: str = Field(description="the signing page (/sign/<id>/): a fresh face check, then sign")


def _record(request: HttpRequest, session_id: int, case_id: int):
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    case_id = selectors.transcript_case_for(actor, session, case_id)
    return actor, session, case_id


def _record_out(actor, session, case_id: int) -> dict:
    record = selectors.transcript_record_of(session, case_id)
    if record.pk is not None and record.status == "reading":
        actions.transcript_signatures_sync(record_id=record.pk)
        record = selectors.transcript_record_of(session, case_id)
    return selectors.transcript_record_out(record, actor)


@router.get("/sessions/{session_id}/transcript/lines", response=TranscriptLinesOut)
def transcript_lines(request: HttpRequest, session_id: int, query: Query[TranscriptLinesQuery]):
    """The lines of one case's record (by default the caller's case), in time order; with
    ``after`` only those written or edited since that cursor (the pages' catch-up when the
    socket misses the worker's pushes)."""
    return _lines_out(request, session_id, query.case_id, query.after)


def _lines_out(
    request: HttpRequest, session_id: int, case_id: int | None = None, after: int | None = None
) -> dict:
    actor = actor_of(request)
    session, record = selectors.transcript_for(actor, session_id, case_id)
    court = policies.is_court(actor, session)
    cursor = selectors.transcript_cursor()  # before the read: nothing falls between two
    if court and case_id is None:  # the court's pane: every line of the sitting
        lines = session.transcript_lines.select_related("seat").order_by("started_at", "pk")
    else:
        lines = selectors.transcript_lines_of(record)
    lines = selectors.transcript_lines_after(lines, after)
    return {
        "session_id": session.pk,
        "case_id": record.case_id,
        "live_visible": record.live_visible,
        "may_edit": court and record.status == "drafting",
        "status": record.status,
        "session_status": session.status,
        "cursor": max(cursor, after or 0),
        "lines": [selectors.transcript_line_out(line, court=court) for line in lines],
    }


@router.patch("/sessions/{session_id}/transcript/lines/{line_id}", response=TranscriptLineOut)
def transcript_line_patch(
    request: HttpRequest, session_id: int, line_id: int, payload: TranscriptLineIn
):
    """The clerk or the judge corrects a line while the record is drafted; refused once it
    was sent (the correction route instead)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    if not session.transcript_lines.filter(pk=line_id).exists():
        raise NotFound(policies.NOT_FOUND_SESSION)
    line = line_actions.transcript_line_edit(line_id=line_id, actor=actor, text=payload.text)
    return selectors.transcript_line_out(line, court=True)


@router.get(
    "/sessions/{session_id}/transcript/lines/{line_id}/versions",
    response=list[TranscriptVersionOut],
)
def transcript_line_versions(request: HttpRequest, session_id: int, line_id: int):
    """Every version of a line: the engine's first, then each edit with who and when."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    policies.require_transcript_staff(actor, session)
    line = session.transcript_lines.filter(pk=line_id).first()
    if line is None:
        raise NotFound(policies.NOT_FOUND_SESSION)
    return selectors.transcript_versions(line)


@router.put("/sessions/{session_id}/transcript/live", response=TranscriptLinesOut)
def transcript_live(request: HttpRequest, session_id: int, payload: TranscriptLiveIn):
    """The presiding judge lets the parties read the transcript live (or stops it)."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    line_actions.transcript_live_set(session=session, actor=actor, visible=payload.visible)
    return _lines_out(request, session_id)


@router.get("/sessions/{session_id}/transcript/{case_id}", response=TranscriptRecordOut)
def transcript_record(request: HttpRequest, session_id: int, case_id: int):
    """The record: its status, revision, reading deadline, signers and corrections."""
    actor, session, case_id = _record(request, session_id, case_id)
    return _record_out(actor, session, case_id)


@router.post("/sessions/{session_id}/transcript/{case_id}/send", response=TranscriptRecordOut)
def transcript_send(request: HttpRequest, session_id: int, case_id: int):
    """The clerk sends the record of a closed session to everyone to read and sign."""
    actor, session, case_id = _record(request, session_id, case_id)
    actions.transcript_send(session=session, case_id=case_id, actor=actor)
    return _record_out(actor, session, case_id)


@router.post("/sessions/{session_id}/transcript/{case_id}/sign", response=TranscriptSignOut)
def transcript_sign(request: HttpRequest, session_id: int, case_id: int):
    """A signer's signature request over the PDF as signed so far; sign it at ``url``."""
    actor, session, case_id = _record(request, session_id, case_id)
    row = actions.transcript_sign_request(session=session, case_id=case_id, actor=actor)
    return {"request_id": row.pk, "url": reverse("signing:request", args=[row.pk])}


@router.post("/sessions/{session_id}/transcript/{case_id}/refuse", response=TranscriptRecordOut)
def transcript_refuse(
    request: HttpRequest, session_id: int, case_id: int, payload: TranscriptRefuseIn
):
    """A participant refuses to sign; recorded with the reason (记明情况附卷)."""
    actor, session, case_id = _record(request, session_id, case_id)
    actions.transcript_refuse_sign(
        session=session, case_id=case_id, actor=actor, reason=payload.reason
    )
    return _record_out(actor, session, case_id)


@router.post(
    "/sessions/{session_id}/transcript/{case_id}/corrections",
    response={201: TranscriptCorrectionOut},
)
def transcript_correction_create(
    request: HttpRequest, session_id: int, case_id: int, payload: TranscriptCorrectionIn
):
    """A participant asks to correct an error (``line_id``) or an omission."""
    actor, session, case_id = _record(request, session_id, case_id)
    correction = corrections.correction_request_create(
        session=session,
        case_id=case_id,
        actor=actor,
        line_id=payload.line_id,
        omission=payload.omission,
        text=payload.text,
        reason=payload.reason,
    )
    out = _record_out(actor, session, case_id)
    return 201, next(c for c in out["corrections"] if c["id"] == correction.pk)


@router.post(
    "/sessions/{session_id}/transcript/{case_id}/corrections/{correction_id}/decide",
    response=TranscriptRecordOut,
)
def transcript_correction_decide(
    request: HttpRequest,
    session_id: int,
    case_id: int,
    correction_id: int,
    payload: TranscriptDecideIn,
):
    """The clerk accepts (the line changes) or refuses with a note; the record is sent
    again as a new revision."""
    actor, session, case_id = _record(request, session_id, case_id)
    record = selectors.transcript_record_of(session, case_id)
    if record.pk is None or not record.corrections.filter(pk=correction_id).exists():
        raise NotFound(policies.NOT_FOUND_SESSION)
    corrections.correction_decide(
        correction_id=correction_id, actor=actor, accept=payload.accept, note=payload.note
    )
    return _record_out(actor, session, case_id)


@router.get("/sessions/{session_id}/transcript/{case_id}/pdf")
def transcript_pdf(request: HttpRequest, session_id: int, case_id: int):
    """The record's PDF as it stands (with the signatures so far); reading it is logged."""
    actor = actor_of(request)
    session, record = selectors.transcript_for(actor, session_id, case_id)
    if not record.head_path:
        raise NotFound(policies.NOT_FOUND_SESSION)
    actions.transcript_read(session=session, case_id=record.case_id, actor=actor)
    with default_storage.open(record.head_path, "rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="transcript-{session.pk}-{record.case_id}-r{record.revision}.pdf"'
    )
    return response
