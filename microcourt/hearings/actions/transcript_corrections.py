"""庭审笔录 corrections (民事诉讼法第一百五十条): a participant asks to correct an error or an
omission; the clerk accepts (the line changes, a version naming the request) or refuses
with a note; both stay in the record, which is rendered and sent again as a new revision.
And 录音录像代替笔录 (录音录像规定第八条): in summary procedure, with every party's consent."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import PARTY_ROLES, REPRESENTATIVE_ROLES, CaseProcedure
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger

from .. import policies, selectors
from ..events import LedgerEvent
from ..models import (
    CorrectionStatus,
    RecordingConsent,
    SeatRole,
    TranscriptCorrection,
    TranscriptLine,
    TranscriptRecord,
    TranscriptStatus,
)
from ..states import TRANSCRIPT
from . import joint
from .transcript import _version
from .transcript_record import _publish, _push_record, _record, _render

# -- corrections -----------------------------------------------------------------------------


def _participant_label(record: TranscriptRecord, actor: Actor) -> str:
    signer = selectors.transcript_signer_of(actor, record)
    if signer is not None:
        return signer.label
    seat = record.session.seats.filter(user_id=actor.user_id).order_by("pk").first()
    if seat is not None:
        return seat.label
    raise NotFound(_("没有找到该笔录"))


@transaction.atomic
def correction_request_create(
    *,
    session,
    case_id: int,
    actor: Actor,
    text: str,
    line_id: int | None = None,
    omission: bool = False,
    reason: str = "",
) -> TranscriptCorrection:
    """A participant who finds an omission or an error asks for it to be corrected
    (民事诉讼法第一百五十条). While the record is read; after it was signed, the request is
    kept as a note beside it (the signed PDF does not change)."""
    record = _record(session, case_id)
    roles = case_policies.case_roles(actor, record.case)
    party = bool(roles & (PARTY_ROLES | REPRESENTATIVE_ROLES))
    if not (party or selectors.transcript_signer_of(actor, record)):
        raise NotFound(_("没有找到该笔录"))
    if record.status not in (TranscriptStatus.READING, TranscriptStatus.SIGNED):
        raise Conflict(
            _("笔录送交阅读后才能申请补正"),
            code="transcript_not_sent",
            fields={"status": record.get_status_display()},
        )
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请写明应如何记载"), fields={"text": _("必填")})
    if len(text) > 2000:
        raise InvalidInput(_("内容太长"), fields={"text": _("不超过 2000 个字")})
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise InvalidInput(_("理由太长"), fields={"reason": _("不超过 500 个字")})
    line = None
    if line_id is not None:
        line = selectors.transcript_lines_of(record).filter(pk=line_id).first()
        if line is None:
            raise InvalidInput(_("该笔录行不在本笔录中"), fields={"line_id": _("不存在")})
    elif not omission:
        raise InvalidInput(_("请指明有差错的笔录行，或选择“遗漏”"), fields={"line_id": _("必填")})
    correction = TranscriptCorrection.objects.create(
        record=record,
        line=line,
        omission=bool(omission),
        text=text,
        reason=reason,
        requested_by=actor.user,
        requester_label=_participant_label(record, actor),
        revision=record.revision,
        after_signing=record.status == TranscriptStatus.SIGNED,
    )
    ledger.record(
        code=LedgerEvent.TRANSCRIPT_CORRECTION_REQUESTED,
        actor=actor,
        case_id=record.case_id,
        subject_digest="sha256:" + hashlib.sha256(text.encode()).hexdigest(),
        data={
            "session": record.session_id,
            "record": record.pk,
            "correction": correction.pk,
            "line": line.pk if line else None,
            "omission": bool(omission),
        },
    )
    _push_record(record)
    return correction


def correction_decide(
    *, correction_id: int, actor: Actor, accept: bool, note: str = ""
) -> TranscriptCorrection:
    """The clerk accepts a correction (the line changes, a version naming the request; an
    omission becomes a line) or refuses it with a note. Both are kept in the record, whose
    PDF is rendered again and sent again for everyone to read and sign. A request made
    after signing is only decided and kept beside the signed record."""
    with transaction.atomic():
        correction = (
            # Only the request's row: PostgreSQL cannot lock the nullable side of the outer
            # join to ``line`` (an omission has none).
            TranscriptCorrection.objects.select_for_update(of=("self",))
            .select_related("record", "record__session", "line")
            .filter(pk=correction_id)
            .first()
        )
        if correction is None:
            raise NotFound(_("没有找到该补正申请"))
        record = correction.record
        policies.require_transcript_staff(actor, record.session)
        if correction.status != CorrectionStatus.PENDING:
            raise Conflict(
                _("该补正申请已处理"), fields={"status": correction.get_status_display()}
            )
        if not isinstance(accept, bool):
            raise InvalidInput(_("请选择是否补正"), fields={"accept": _("应为是或否")})
        note = (note or "").strip()
        if len(note) > 500:
            raise InvalidInput(_("处理意见太长"), fields={"note": _("不超过 500 个字")})
        if not accept and not note:
            raise InvalidInput(_("不予补正的，请写明理由"), fields={"note": _("必填")})
        user = actor.user
        name = getattr(user, "display_name", "") or user.get_username()
        if accept and not correction.after_signing:
            _apply(correction, user, name)
        correction.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REFUSED
        correction.decided_by = user
        correction.decided_at = timezone.now()
        correction.note = note
        correction.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
        ledger.record(
            code=LedgerEvent.TRANSCRIPT_CORRECTION_DECIDED,
            actor=actor,
            case_id=record.case_id,
            data={
                "session": record.session_id,
                "record": record.pk,
                "correction": correction.pk,
                "accepted": accept,
                "note": note,
            },
        )
    if correction.after_signing or record.status != TranscriptStatus.READING:
        return correction
    fresh = TranscriptRecord.objects.select_related("session", "case", "case__court").get(
        pk=record.pk
    )
    pdf, fingerprint = _render(fresh, fresh.revision + 1)
    with transaction.atomic():
        _publish(fresh.pk, pdf=pdf, fingerprint=fingerprint, actor=actor, transition="resend")
    return correction


def _apply(correction: TranscriptCorrection, user, name: str) -> None:
    record = correction.record
    mark = f"correction:{correction.pk}"
    line = correction.line
    if correction.omission or line is None:
        anchor = line
        at = anchor.ended_at if anchor else (record.session.closed_at or timezone.now())
        added = TranscriptLine.objects.create(
            session=record.session,
            seat=None,
            case_id=None if anchor is None else anchor.case_id,
            speaker=gettext("补正（%(who)s）") % {"who": correction.requester_label},
            started_at=at,
            ended_at=at,
            text=correction.text,
            engine_text="",
            engine="",
            source="correction",
            source_ms=correction.pk,
            stage=anchor.stage if anchor else record.session.stage,
            edited=True,
        )
        _version(added, text=correction.text, by=user, by_name=name, note=mark)
        return
    line = TranscriptLine.objects.select_for_update().get(pk=line.pk)
    line.text = correction.text
    line.edited = True
    line.save(update_fields=["text", "edited", "updated_at"])
    _version(line, text=correction.text, by=user, by_name=name, note=mark)


# -- 录音录像代替笔录 (录音录像规定第八条) ----------------------------------------------------


SUMMARY = (CaseProcedure.SUMMARY, CaseProcedure.SMALL_CLAIMS)


def _parties(record: TranscriptRecord) -> list:
    rec = joint.case_record(record.session, record.case)
    seen, out = set(), []
    for seat in rec.seats:
        party = seat.role in (SeatRole.PLAINTIFF, SeatRole.DEFENDANT, SeatRole.THIRD_PARTY)
        if party and seat.user_id and seat.user_id not in seen:
            seen.add(seat.user_id)
            out.append(seat)
    return out


@transaction.atomic
def recording_consent_give(*, session, case_id: int, actor: Actor) -> RecordingConsent:
    """A party consents that the recording stand in for the written record."""
    record = _record(session, case_id)
    seat = next((s for s in _parties(record) if s.user_id == actor.user_id), None)
    if seat is None:
        raise NotFound(_("没有找到该笔录"))
    if record.case.procedure not in SUMMARY:
        raise Conflict(
            _("只有适用简易程序的案件可以录音录像代替笔录"),
            fields={"procedure": _("不是简易程序")},
        )
    consent, created = RecordingConsent.objects.get_or_create(
        record=record, user=actor.user, defaults={"label": seat.label, "at": timezone.now()}
    )
    if created:
        ledger.record(
            code=LedgerEvent.TRANSCRIPT_RECORDING_CONSENT,
            actor=actor,
            case_id=record.case_id,
            data={"session": record.session_id, "record": record.pk},
        )
    return consent


def _stand_in_check(record: TranscriptRecord, actor: Actor) -> None:
    if record.case.procedure not in SUMMARY:
        raise Conflict(
            _("只有适用简易程序的案件可以录音录像代替笔录"),
            fields={"procedure": _("不是简易程序")},
        )
    consented = set(record.recording_consents.values_list("user_id", flat=True))
    missing = [s.label for s in _parties(record) if s.user_id not in consented]
    if missing:
        raise Conflict(
            _("以下当事人尚未同意：%(who)s") % {"who": "、".join(missing)},
            fields={"consents": _("需全部当事人同意")},
        )


@transaction.atomic
def recording_stands_in(*, session, case_id: int, actor: Actor) -> TranscriptRecord:
    """The presiding judge lets the recording stand in for the record: summary procedure,
    every party consented (录音录像规定第八条). Recorded; no PDF is sent for signing."""
    policies.require_presiding(actor, session)
    record = _record(session, case_id)
    _stand_in_check(record, actor)
    return TRANSCRIPT.apply(
        record, "stand_in", actor=actor, updates={"stands_in_at": timezone.now()}
    )
