"""庭审笔录 pages: a participant reads the record, asks for corrections, signs it (through
/sign/<id>/ after a fresh face check) or refuses; the clerk sends it and decides the
corrections; the judge sets live reading and lets the recording stand in (summary
procedure). And the live transcript for a text-only participant (a deaf party). Anyone
outside the case gets 404; a party before the session ends (without the judge's leave)
is told when they may read it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, Forbidden, NotFound

from .. import policies, selectors
from ..actions import transcript as line_actions
from ..actions import transcript_corrections as corrections
from ..actions import transcript_record as actions


def _load(request, session_id: int, case_id: int | None):
    actor = actor_of(request)
    try:
        session = selectors.session_for(actor, session_id)
        case_id = selectors.transcript_case_for(actor, session, case_id)
    except NotFound:
        raise Http404 from None
    return actor, session, case_id


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _post(request, actor, session, case_id):
    """One action per form; the page says how it went."""
    op = request.POST.get("op", "")
    data = request.POST
    if op == "sign":
        row = actions.transcript_sign_request(session=session, case_id=case_id, actor=actor)
        return redirect(reverse("signing:request", args=[row.pk]))
    if op == "refuse":
        actions.transcript_refuse_sign(
            session=session, case_id=case_id, actor=actor, reason=data.get("reason", "")
        )
        messages.success(request, _("已记录您拒绝签名及理由"))
    elif op == "correct":
        corrections.correction_request_create(
            session=session,
            case_id=case_id,
            actor=actor,
            line_id=_int(data.get("line_id")),
            omission=data.get("omission") == "1",
            text=data.get("text", ""),
            reason=data.get("reason", ""),
        )
        messages.success(request, _("补正申请已提交，书记员将作出处理"))
    elif op == "decide":
        correction = _int(data.get("correction_id"))
        if correction is None:
            raise NotFound(_("没有找到该补正申请"))
        corrections.correction_decide(
            correction_id=correction,
            actor=actor,
            accept=data.get("accept") == "1",
            note=data.get("note", ""),
        )
        messages.success(request, _("已处理补正申请，笔录已重新送交阅读签名"))
    elif op == "send":
        actions.transcript_send(session=session, case_id=case_id, actor=actor)
        messages.success(request, _("笔录已送交各参加人阅读签名"))
    elif op == "live":
        line_actions.transcript_live_set(
            session=session, actor=actor, visible=data.get("visible") == "1"
        )
        messages.success(request, _("已更新"))
    elif op == "consent":
        corrections.recording_consent_give(session=session, case_id=case_id, actor=actor)
        messages.success(request, _("已记录您的同意"))
    elif op == "stand_in":
        corrections.recording_stands_in(session=session, case_id=case_id, actor=actor)
        messages.success(request, _("本次庭审以录音录像代替笔录"))
    else:
        messages.error(request, _("无法识别的操作"))
    return redirect(reverse("hearing_transcript", args=[session.pk, case_id]))


@login_required
@require_http_methods(["GET", "POST"])
def transcript_page(request, session_id: int, case_id: int):
    actor, session, case_id = _load(request, session_id, case_id)
    if request.method == "POST":
        try:
            return _post(request, actor, session, case_id)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(reverse("hearing_transcript", args=[session.pk, case_id]))
    record = selectors.transcript_record_of(session, case_id)
    if record.pk is not None and record.status == "reading":
        record = actions.transcript_signatures_sync(record_id=record.pk)
        record = selectors.transcript_record_of(session, case_id)
    court = policies.is_court(actor, session)
    try:
        policies.require_transcript_read(actor, session, record.live_visible)
        lines = list(selectors.transcript_lines_of(record)) if record.session_id else []
        early = None
    except Forbidden as exc:
        lines, early = [], exc.message
    signer = selectors.transcript_signer_of(actor, record)
    context = {
        "session": session,
        "case": record.case,
        "record": record,
        "lines": lines,
        "early": early,
        "court": court,
        "presiding": policies.is_presiding(actor, session),
        "signers": selectors.transcript_signers(record),
        "corrections": selectors.transcript_corrections(record),
        "signer": signer,
        "may_correct": record.status in ("reading", "signed") and not court,
        "tab": "cases",
    }
    return render(request, "hearings/transcript.html", context)


@login_required
@require_GET
def transcript_pdf(request, session_id: int, case_id: int):
    """The record's PDF as it stands (with the signatures so far); reading it is logged."""
    actor, session, case_id = _load(request, session_id, case_id)
    record = selectors.transcript_record_of(session, case_id)
    try:
        policies.require_transcript_read(actor, session, record.live_visible)
    except Forbidden:
        raise Http404 from None
    if not record.head_path:
        raise Http404
    from django.core.files.storage import default_storage

    actions.transcript_read(session=session, case_id=case_id, actor=actor)
    with default_storage.open(record.head_path, "rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/pdf")
    name = f"transcript-{session.pk}-{case_id}-r{record.revision}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def transcript_live(request, session_id: int):
    """The live transcript, large and plain: for a text-only participant (a deaf party, a
    poor connection) while the judge allows it; the court's people always."""
    actor, session, case_id = _load(request, session_id, None)
    record = selectors.transcript_record_of(session, case_id)
    allowed = policies.may_read_transcript_now(actor, session, record.live_visible)
    lines = list(selectors.transcript_lines_of(record)) if allowed and record.pk else []
    seat = selectors.seat_of(actor, session)
    context = {
        "session": session,
        "case": record.case,
        "record": record,
        "lines": lines,
        "allowed": allowed,
        "seat": seat,
        "court": policies.is_court(actor, session),
        "tab": "cases",
    }
    return render(request, "hearings/transcript_live.html", context)


urlpatterns = [
    path(
        "hearings/<int:session_id>/transcript/<int:case_id>/",
        transcript_page,
        name="hearing_transcript",
    ),
    path(
        "hearings/<int:session_id>/transcript/<int:case_id>/pdf/",
        transcript_pdf,
        name="hearing_transcript_pdf",
    ),
    path(
        "hearings/<int:session_id>/transcript/live/",
        transcript_live,
        name="hearing_transcript_live",
    ),
]
