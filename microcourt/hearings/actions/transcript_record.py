"""The 庭审笔录 after the hearing: read, corrected and signed (民事诉讼法第一百五十条;
在线诉讼规则第三十四条: confirmed online it equals a signed paper record).

- ``transcript_send``: the clerk sends the record. Its PDF is rendered outside any
  transaction (WeasyPrint takes a while), then in one short transaction stored, the record
  moved to *reading*, every participant (parties, agents, witnesses, panel, clerk) asked to
  read and sign it within 5 days (counted as 民事诉讼法第八十五条 counts: from the next day,
  a last day on a holiday moves to the next working day) and told so.
- Signing: one PDF carries every signature. A signer presses 签名; ``transcript_sign_request``
  makes a signature request (signing app, /sign/<id>/, fresh face check) over the PDF as
  the previous signers left it, so each signature is an incremental update over the last
  and all of them verify. Two people cannot sign the same revision at once: while one
  request is open (at most ``LEASE``) the next waits; one left open longer is withdrawn.
  ``transcript_signatures_sync`` takes in what was signed.
- ``transcript_refuse_sign``: a participant refuses; recorded as such (记明情况附卷).
- ``correction_request_create`` / ``correction_decide``: a participant asks to correct an
  error or an omission; the clerk accepts (the line changes, a version noting the request)
  or refuses with a note; either way the PDF is rendered again with the request and its
  outcome, and sent again as a new revision for everyone to read and sign.
- When every signer of the revision signed or refused and no request waits, the record is
  complete: the 记明情况 page is made, both go into the e-dossier
  (``selectors.dossier_items``) and the final PDF's SHA-256 into the ledger.
- ``recording_stands_in``: in summary procedure, with every party's consent, the recording
  stands in for the record (录音录像规定第八条).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.calendar import DeadlineRule, Period, Unit
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications.models import Channel

from .. import live, policies, selectors
from ..events import LedgerEvent
from ..models import (
    AttendanceKind,
    CorrectionStatus,
    Participation,
    SeatRole,
    SessionStatus,
    SignerStatus,
    TranscriptRecord,
    TranscriptSigner,
    TranscriptStatus,
)
from ..states import TRANSCRIPT
from ..transcripts import document
from . import joint
from .transcript import SYSTEM, records_of

STORAGE_PREFIX = "hearing-transcripts"
READING_PERIOD = DeadlineRule(
    Period(5, Unit.DAY),
    "《民事诉讼法》第八十五条、第一百五十条；《人民法院在线诉讼规则》第三十四条",
)
# How long one signer holds the revision (the signing app wants a face check this fresh).
LEASE = dt.timedelta(minutes=10)
SIGNING_SEATS = frozenset(
    {
        SeatRole.PRESIDING_JUDGE,
        SeatRole.JUDGE,
        SeatRole.ASSISTANT,
        SeatRole.CLERK,
        SeatRole.MEDIATOR,
        SeatRole.PLAINTIFF,
        SeatRole.DEFENDANT,
        SeatRole.THIRD_PARTY,
        SeatRole.AGENT,
        SeatRole.WITNESS,
    }
)
COURT_ORDER = [r for r, _label in SeatRole.choices]


def _record(session, case_id: int, *, lock: bool = True) -> TranscriptRecord:
    records_of(session)
    qs = TranscriptRecord.objects.select_related("session", "case", "case__court")
    if lock:
        qs = qs.select_for_update()
    record = qs.filter(session=session, case_id=case_id).first()
    if record is None:
        raise NotFound(_("没有找到该笔录"))
    return record


def _attended(seat, attendance) -> bool:
    if seat.role not in (
        SeatRole.PLAINTIFF,
        SeatRole.DEFENDANT,
        SeatRole.THIRD_PARTY,
        SeatRole.AGENT,
        SeatRole.WITNESS,
    ):
        return True
    if seat.participation == Participation.OFFLINE:
        return True
    return any(
        e.seat_id == seat.pk and e.kind in (AttendanceKind.JOINED, AttendanceKind.REJOINED)
        for e in attendance
    )


def signers_for(record: TranscriptRecord) -> list[tuple]:
    """(user, seat, label) of everyone who reads and signs: the panel, the clerk, and the
    parties, agents and witnesses who attended (民事诉讼法第一百五十条)."""
    rec = joint.case_record(record.session, record.case)
    seats = [
        s
        for s in rec.court_seats + rec.seats
        if s.role in SIGNING_SEATS and s.user_id is not None and _attended(s, rec.attendance)
    ]
    seats.sort(key=lambda s: (COURT_ORDER.index(s.role), s.pk))
    seen, out = set(), []
    for seat in seats:
        if seat.user_id in seen:
            continue
        seen.add(seat.user_id)
        out.append((seat.user, seat, seat.label))
    return out


def _fingerprint(record: TranscriptRecord, lines, corrections) -> str:
    parts = [f"{line.pk}:{line.updated_at.isoformat()}" for line in lines]
    parts += [f"c{c.pk}:{c.status}" for c in corrections]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _render(record: TranscriptRecord, revision: int) -> tuple[bytes, str]:
    lines = list(selectors.transcript_lines_of(record))
    corrections = [c for c in selectors.transcript_corrections(record) if not c.after_signing]
    rec = joint.case_record(record.session, record.case)
    pdf = document.render_record(
        record,
        lines=lines,
        case_record=rec,
        stretches=rec.stretches,
        corrections=corrections,
        revision=revision,
    )
    return pdf, _fingerprint(record, lines, corrections)


def _title(record: TranscriptRecord) -> str:
    case = record.case
    return f"{document.title_of(record.session)} {case.number or case.title}"[:200]


def _page_url(record: TranscriptRecord) -> str:
    return reverse(
        "hearing_transcript", kwargs={"session_id": record.session_id, "case_id": record.case_id}
    )


def _publish(record_id: int, *, pdf: bytes, fingerprint: str, actor: Actor, transition: str):
    """Store the rendered PDF as the new revision and ask everyone to read and sign it."""
    from microcourt.courts import selectors as court_selectors

    record = (
        TranscriptRecord.objects.select_for_update()
        .select_related("session", "case", "case__court")
        .get(pk=record_id)
    )
    expected = TranscriptStatus.DRAFTING if transition == "send" else TranscriptStatus.READING
    if record.status != expected:
        raise Conflict(
            _("笔录状态已变化，请刷新后再试"),
            code="transcript_changed",
            fields={"status": _("已变化")},
        )
    _lines, current = _render_inputs(record)
    if current != fingerprint:
        raise Conflict(
            _("生成期间笔录又有修改，请重新送交"),
            code="transcript_changed",
            fields={"text": _("已修改")},
        )
    stored = uploads.store(pdf, mime="application/pdf", prefix=STORAGE_PREFIX)
    now = timezone.now()
    calendar = court_selectors.court_calendar(record.case.court)
    due = calendar.deadline(now, READING_PERIOD).due
    revision = record.revision + 1
    TranscriptSigner.objects.filter(record=record, status=SignerStatus.PENDING).update(
        status=SignerStatus.SUPERSEDED
    )
    TranscriptSigner.objects.filter(record=record, status=SignerStatus.SIGNED).update(
        status=SignerStatus.SUPERSEDED
    )
    _withdraw_open_requests(record)
    TRANSCRIPT.apply(
        record,
        transition,
        actor=actor,
        updates={
            "revision": revision,
            "pdf_path": stored.path,
            "pdf_sha256": stored.sha256,
            "head_path": stored.path,
            "head_sha256": stored.sha256,
            "sent_at": now,
            "due_on": due,
        },
    )
    title = _title(record)
    url = _page_url(record)
    for user, seat, label in signers_for(record):
        signer = TranscriptSigner.objects.create(
            record=record, revision=revision, user=user, seat=seat, label=label
        )
        notifications.notify(
            event="signing.requested",
            params={"title": title, "url": settings.PUBLIC_BASE_URL.rstrip("/") + url},
            recipient=user,
            url=url,
            idempotency_key=f"hearings.transcript:{signer.pk}",
            channels=[Channel.INAPP, Channel.SMS],
        )
    live.push(
        record.session_id,
        "transcript.record",
        case=record.case_id,
        status=record.status,
        revision=revision,
    )
    return record


def _render_inputs(record: TranscriptRecord):
    lines = list(selectors.transcript_lines_of(record))
    corrections = [c for c in selectors.transcript_corrections(record) if not c.after_signing]
    return lines, _fingerprint(record, lines, corrections)


def transcript_send(*, session, case_id: int | None = None, actor: Actor) -> TranscriptRecord:
    """The clerk (or the judge) sends the record of a closed session for reading and
    signing. Not atomic as a whole: the PDF is rendered with no transaction open, then
    published in one short transaction that refuses if a line changed meanwhile."""
    policies.require_transcript_staff(actor, session)
    case_id = session.case_id if case_id is None else case_id
    if session.status != SessionStatus.CLOSED:
        raise Conflict(
            _("闭庭后才能将笔录送交阅读签名"),
            code="session_open",
            fields={"session": _("尚未闭庭")},
        )
    with transaction.atomic():
        record = _record(session, case_id)
        if record.status != TranscriptStatus.DRAFTING:
            raise Conflict(
                _("笔录已送交阅读签名"),
                code="transcript_sent",
                fields={"status": record.get_status_display()},
            )
        if not signers_for(record):
            raise Conflict(_("没有需要签名的参加人"), fields={"signers": _("无")})
    pdf, fingerprint = _render(record, record.revision + 1)
    with transaction.atomic():
        return _publish(record.pk, pdf=pdf, fingerprint=fingerprint, actor=actor, transition="send")


# -- signing ---------------------------------------------------------------------------------


def _requests():
    from microcourt.signing.models import SignatureRequest

    return SignatureRequest.objects


def _withdraw_open_requests(record: TranscriptRecord, *, keep: int | None = None) -> None:
    from microcourt.signing import actions as signing

    ids = [
        s.request_id
        for s in TranscriptSigner.objects.filter(record=record, request__isnull=False)
        if s.request_id != keep
    ]
    for row in _requests().filter(pk__in=ids, status="pending"):
        signing.signature_request_cancel(request_id=row.pk, actor=SYSTEM)


def _signer_for(record: TranscriptRecord, actor: Actor) -> TranscriptSigner:
    signer = (
        TranscriptSigner.objects.select_for_update()
        .filter(record=record, revision=record.revision, user_id=actor.user_id)
        .first()
    )
    if signer is None:
        raise NotFound(_("您不需要签署这份笔录"))
    return signer


def _check_reading(record: TranscriptRecord) -> None:
    if record.status != TranscriptStatus.READING:
        raise Conflict(
            _("笔录当前不在阅读签名阶段"), fields={"status": record.get_status_display()}
        )


def _pending_signer(record: TranscriptRecord, actor: Actor) -> TranscriptSigner:
    """The actor's place among the signers, still to sign or refuse (signatures made so far
    taken in first: one made a moment ago counts)."""
    _take_in(record)
    signer = _signer_for(record, actor)
    if signer.status != SignerStatus.PENDING:
        raise Conflict(
            _("您已%(status)s") % {"status": signer.get_status_display()},
            fields={"status": signer.get_status_display()},
        )
    return signer


def _push_record(record: TranscriptRecord) -> None:
    """The record's status and revision to the session's screens (the clerk's pane, the
    reading page)."""
    live.push(
        record.session_id, "transcript.record", case=record.case_id, status=record.status,
        revision=record.revision,
    )  # fmt: skip


def _take_in(record: TranscriptRecord) -> bool:
    """Take in signatures made through the signing app; True when something changed."""
    changed = False
    signers = TranscriptSigner.objects.select_for_update().filter(
        record=record, revision=record.revision, status=SignerStatus.PENDING, request__isnull=False
    )
    for signer in signers.order_by("pk"):
        row = _requests().filter(pk=signer.request_id).first()
        if row is None or row.status == "cancelled":
            signer.request = None
            signer.save(update_fields=["request"])
            continue
        if row.status != "signed":
            continue
        if row.source_sha256 != record.head_sha256:
            # Signed over an older state of the PDF (cannot happen while the lease holds):
            # that signature is not on the record; sign again.
            signer.request = None
            signer.save(update_fields=["request"])
            continue
        record.head_path, record.head_sha256 = row.signed_path, row.signed_sha256
        record.save(update_fields=["head_path", "head_sha256", "updated_at"])
        signer.status = SignerStatus.SIGNED
        signer.signed_at = row.signed_at or timezone.now()
        signer.save(update_fields=["status", "signed_at"])
        ledger.record(
            code=LedgerEvent.TRANSCRIPT_SIGNED,
            actor=SYSTEM,
            case_id=record.case_id,
            subject_digest=f"sha256:{row.signed_sha256}",
            data={
                "session": record.session_id,
                "record": record.pk,
                "revision": record.revision,
                "user": signer.user_id,
                "request": row.pk,
            },
        )
        changed = True
    return changed


@transaction.atomic
def transcript_signatures_sync(*, record_id: int) -> TranscriptRecord:
    """Take in what was signed at /sign/<id>/ and complete the record when everyone has
    signed or refused. Idempotent; run by the reading page and the API, and periodically."""
    record = (
        TranscriptRecord.objects.select_for_update()
        .select_related("session", "case", "case__court")
        .get(pk=record_id)
    )
    if record.status != TranscriptStatus.READING:
        return record
    if _take_in(record):
        _push_record(record)
    return _maybe_complete(record)


@transaction.atomic
def transcript_sign_request(*, session, case_id: int, actor: Actor):
    """A signer asks to sign: a signature request over the PDF with the signatures so far,
    or the one already open for them. Another signer's open request (younger than
    ``LEASE``) makes them wait a few minutes; an older one is withdrawn."""
    from microcourt.signing import actions as signing

    record = _record(session, case_id)
    _check_reading(record)
    signer = _pending_signer(record, actor)
    if signer.request_id is not None:
        row = _requests().filter(pk=signer.request_id).first()
        if row is not None and row.status == "pending" and row.source_sha256 == record.head_sha256:
            return row
    others = TranscriptSigner.objects.filter(
        record=record, revision=record.revision, request__isnull=False
    ).exclude(pk=signer.pk)
    open_rows = _requests().filter(pk__in=others.values("request_id"), status="pending")
    if open_rows.filter(created_at__gt=timezone.now() - LEASE).exists():
        raise Conflict(
            _("另一位参加人正在签名，请几分钟后再试"),
            code="transcript_signing_busy",
            fields={"sign": _("请稍候")},
        )
    _withdraw_open_requests(record)
    from django.core.files.storage import default_storage

    with default_storage.open(record.head_path, "rb") as handle:
        pdf = handle.read()
    if hashlib.sha256(pdf).hexdigest() != record.head_sha256:
        raise Conflict(_("笔录文件校验失败，请联系书记员"), fields={"pdf": _("校验失败")})
    row = signing.signature_request_create(
        pdf=pdf,
        title=_title(record),
        purpose="signature",
        signer=actor.user,
        case_id=record.case_id,
        actor=actor,  # the signer asks for it: no second notice
    )
    signer.request = row
    signer.save(update_fields=["request"])
    return row


@transaction.atomic
def transcript_refuse_sign(*, session, case_id: int, actor: Actor, reason: str) -> TranscriptRecord:
    """A participant refuses to sign; the refusal and its reason go into the record
    (民事诉讼法第一百五十条: 拒绝签名盖章的，记明情况附卷)."""
    record = _record(session, case_id)
    _check_reading(record)
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise InvalidInput(_("理由太长"), fields={"reason": _("不超过 500 个字")})
    signer = _pending_signer(record, actor)
    if signer.request_id is not None:
        from microcourt.signing import actions as signing

        row = _requests().filter(pk=signer.request_id, status="pending").first()
        if row is not None:
            signing.signature_request_cancel(request_id=row.pk, actor=SYSTEM)
    signer.status = SignerStatus.REFUSED
    signer.refused_at = timezone.now()
    signer.reason = reason
    signer.save(update_fields=["status", "refused_at", "reason"])
    ledger.record(
        code=LedgerEvent.TRANSCRIPT_REFUSED,
        actor=actor,
        case_id=record.case_id,
        subject_digest=f"sha256:{record.pdf_sha256}",
        data={
            "session": record.session_id,
            "record": record.pk,
            "revision": record.revision,
            "reason": reason,
        },
    )
    _push_record(record)
    return _maybe_complete(record)


def _maybe_complete(record: TranscriptRecord) -> TranscriptRecord:
    signers = list(TranscriptSigner.objects.filter(record=record, revision=record.revision))
    if not signers or any(s.status == SignerStatus.PENDING for s in signers):
        return record
    if record.corrections.filter(status=CorrectionStatus.PENDING).exists():
        return record
    refusals = selectors.transcript_refusals(record)
    corrections = [c for c in selectors.transcript_corrections(record) if not c.after_signing]
    note = document.render_note(record, signers=signers, refusals=refusals, corrections=corrections)
    stored = uploads.store(note, mime="application/pdf", prefix=STORAGE_PREFIX)
    TRANSCRIPT.apply(
        record,
        "complete",
        actor=SYSTEM,
        note=f"note_sha256:{stored.sha256}",
        updates={
            "completed_at": timezone.now(),
            "note_path": stored.path,
            "note_sha256": stored.sha256,
        },
    )
    _push_record(record)
    return record


def transcript_read(*, session, case_id: int, actor: Actor) -> None:
    """Reading the record's PDF is a ledger entry (the 5 days are for reading)."""
    with transaction.atomic():
        record = _record(session, case_id, lock=False)
        ledger.record(
            code=LedgerEvent.TRANSCRIPT_READ,
            actor=actor,
            case_id=record.case_id,
            subject_digest=f"sha256:{record.head_sha256 or record.pdf_sha256}"
            if record.pdf_sha256
            else None,
            data={"session": record.session_id, "record": record.pk, "revision": record.revision},
        )


def transcript_signatures_sync_all() -> int:
    """Every record being read and signed takes in its signatures (the worker, every few
    minutes); how many changed status."""
    done = 0
    for pk in TranscriptRecord.objects.filter(status=TranscriptStatus.READING).values_list(
        "pk", flat=True
    ):
        if transcript_signatures_sync(record_id=pk).status != TranscriptStatus.READING:
            done += 1
    return done


def transcript_reminders_send(*, today: dt.date | None = None) -> int:
    """The day before a record's reading period ends (and on its last day), each person who
    has neither signed nor refused the current revision is reminded once per day by in-app
    message and SMS. Idempotent (the worker, every few minutes): the count is of the people
    due a reminder; a repeat call on the same day sends nothing again."""
    today = today or timezone.localdate()
    sent = 0
    records = TranscriptRecord.objects.filter(
        status=TranscriptStatus.READING,
        due_on__in=[today, today + dt.timedelta(days=1)],
    )
    for record in records:
        title = _title(record)
        due = record.due_on.strftime("%Y-%m-%d") if record.due_on else ""
        what = str(_("阅读并签署《%(title)s》") % {"title": title})
        for signer in record.signers.filter(
            revision=record.revision, status=SignerStatus.PENDING
        ).select_related("user"):
            notifications.notify(
                event="deadline.reminder",
                params={"what": what, "deadline": due},
                recipient=signer.user,
                url=_page_url(record),
                idempotency_key=f"hearings.transcript-reminder:{signer.pk}:{today.isoformat()}",
                channels=[Channel.INAPP, Channel.SMS],
            )
            sent += 1
    return sent
