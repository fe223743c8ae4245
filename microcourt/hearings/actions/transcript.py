"""庭审笔录 while the hearing goes on: speech recognition writes the lines (互联网法院规定
第二十条; 录音录像规定第六条), each with its speaker from the seat's own audio stream; the
clerk (or the judge) corrects any line in place, every version kept with who and when, the
engine's text staying as the first; the presiding judge decides whether the parties read it
live. The record's reading, correction and signing: ``actions.transcript_record``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger

from .. import live, policies, selectors
from ..events import LedgerEvent
from ..models import (
    Seat,
    Session,
    TranscriptGap,
    TranscriptLine,
    TranscriptLineVersion,
    TranscriptRecord,
    TranscriptStatus,
)
from . import joint

SYSTEM = Actor.system("hearing transcript")
MAX_TEXT = 20000
# The correction route the refusals point to (民事诉讼法第一百五十条).
SENT_MESSAGE = _(
    "笔录已送交当事人阅读签名，不能再直接修改。如有遗漏或差错，请通过“申请补正”办理，"
    "由书记员决定是否补正，处理情况记入笔录。"
)
SIGNED_MESSAGE = _("笔录已签署归档，不能再修改。如有遗漏或差错，请提交补正申请，作为说明附卷。")


def records_of(session: Session) -> list[TranscriptRecord]:
    """The session's records, one per case (a joint session has one per case), made on
    first need."""
    out = []
    for case in joint.cases_of(session):
        record, _created = TranscriptRecord.objects.get_or_create(session=session, case=case)
        out.append(record)
    return out


def records_with(line: TranscriptLine) -> list[TranscriptRecord]:
    """The records a line belongs to: its seat's case's, or every case's for the court."""
    records = records_of(line.session)
    if line.case_id is None:
        return records
    return [r for r in records if r.case_id == line.case_id]


def _line_case(seat: Seat | None) -> int | None:
    if seat is None or seat.role in joint.COMMON_SEATS:
        return None
    return seat.case_id


def _push_line(session: Session, line: TranscriptLine, event: str = "transcript.line") -> None:
    records = records_with(line)
    live.push(
        session.pk,
        event,
        # JSON-safe: a Redis channel layer serialises the event (no datetimes).
        line=json.loads(json.dumps(selectors.transcript_line_out(line), cls=DjangoJSONEncoder)),
        case=line.case_id,
        # Who beside the court receives it: the judge's switch of the line's record.
        live=any(r.live_visible for r in records),
        version=session.version,
    )


def _version(line: TranscriptLine, *, text: str, by=None, by_name: str = "", note: str = ""):
    number = (line.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return TranscriptLineVersion.objects.create(
        line=line, number=number, text=text, by=by, by_name=by_name, at=timezone.now(), note=note
    )


def transcript_line_add(
    *,
    session_id: int,
    seat_id: int | None,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    text: str,
    engine: str,
    source: str,
    source_ms: int,
    gap: str = "",
) -> TranscriptLine:
    """A line the engine wrote (the worker; no actor but the system). Idempotent on
    ``(session, source, source_ms)``: a retry returns the line already there, unchanged.
    ``gap`` marks speech that could not be recognised ("failed" | "timeout" | "dropped"):
    the record says so rather than pretending nothing was said. Pushed to the courtroom
    socket after commit."""
    if gap not in TranscriptGap.values:
        raise InvalidInput(
            _("未识别原因不正确"), fields={"gap": _("应为 failed、timeout 或 dropped")}
        )
    text = (text or "").strip()[:MAX_TEXT]
    source = (source or "")[:100]
    if not source:
        raise InvalidInput(_("缺少音频来源"), fields={"source": _("必填")})
    if started_at is None or ended_at is None or timezone.is_naive(started_at):
        raise InvalidInput(_("时间不正确"), fields={"started_at": _("需要带时区的时间")})
    existing = TranscriptLine.objects.filter(
        session_id=session_id, source=source, source_ms=source_ms
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            session = Session.objects.select_related("case").filter(pk=session_id).first()
            if session is None:
                raise NotFound(_("没有找到该庭审"))
            seat = None
            if seat_id is not None:
                seat = Seat.objects.filter(pk=seat_id, session=session).first()
                if seat is None:
                    raise InvalidInput(_("席位不在本次庭审中"), fields={"seat_id": _("不存在")})
            speaker = seat.label if seat else str(_("未知发言人"))
            line = TranscriptLine.objects.create(
                session=session,
                seat=seat,
                case_id=_line_case(seat),
                speaker=speaker,
                started_at=started_at,
                ended_at=max(ended_at, started_at),
                text="" if gap else text,
                engine_text="" if gap else text,
                engine=(engine or "")[:100],
                source=source,
                source_ms=source_ms,
                gap=gap,
                stage=session.stage,
            )
            _version(line, text=line.text, note=f"engine:{line.engine}")
            ledger.record(
                code=LedgerEvent.TRANSCRIPT_LINE_ADDED,
                actor=SYSTEM,
                case_id=session.case_id,
                subject_digest="sha256:" + hashlib.sha256(line.text.encode()).hexdigest(),
                data={
                    "session": session.pk,
                    "line": line.pk,
                    "seat": seat_id,
                    "source": source,
                    "source_ms": source_ms,
                    "engine": line.engine,
                    **({"gap": gap} if gap else {}),
                },
            )
            _push_line(session, line)
    except IntegrityError:  # the same utterance written at once by a retry: that one stands
        return TranscriptLine.objects.get(session_id=session_id, source=source, source_ms=source_ms)
    return line


def _editable(line: TranscriptLine) -> None:
    for record in records_with(line):
        if record.status == TranscriptStatus.SIGNED:
            raise Conflict(
                SIGNED_MESSAGE, code="transcript_signed", fields={"text": SIGNED_MESSAGE}
            )
        if record.status != TranscriptStatus.DRAFTING:
            raise Conflict(SENT_MESSAGE, code="transcript_sent", fields={"text": SENT_MESSAGE})


@transaction.atomic
def transcript_line_edit(*, line_id: int, actor: Actor, text: str) -> TranscriptLine:
    """The clerk or the judge corrects a line while the record is being drafted (during
    the hearing and after it, until it is sent). The engine's text stays as the first
    version; each edit is a new version with who and when."""
    line = (
        TranscriptLine.objects.select_for_update()
        .select_related("session", "session__case")
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise NotFound(_("没有找到该笔录行"))
    session = line.session
    policies.require_transcript_staff(actor, session)
    if not isinstance(text, str):
        raise InvalidInput(_("请填写内容"), fields={"text": _("必填")})
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("内容太长"), fields={"text": _("不超过 20000 个字")})
    _editable(line)
    if text == line.text:
        return line
    before = line.text
    line.text = text
    line.edited = True
    line.save(update_fields=["text", "edited", "updated_at"])
    user = actor.user
    name = getattr(user, "display_name", "") or user.get_username()
    version = _version(line, text=text, by=user, by_name=name)
    ledger.record(
        code=LedgerEvent.TRANSCRIPT_EDITED,
        actor=actor,
        case_id=line.case_id or session.case_id,
        subject_digest="sha256:" + hashlib.sha256(text.encode()).hexdigest(),
        data={
            "session": session.pk,
            "line": line.pk,
            "version": version.number,
            "before_sha256": hashlib.sha256(before.encode()).hexdigest(),
        },
    )
    _push_line(session, line, "transcript.edit")
    return line


@transaction.atomic
def transcript_live_set(*, session: Session, actor: Actor, visible: bool) -> Session:
    """The presiding judge lets the parties read the transcript while the hearing goes on
    (or stops it). The court's people always read it; the parties after the session."""
    policies.require_presiding(actor, session)
    if not isinstance(visible, bool):
        raise InvalidInput(_("请选择是否准许"), fields={"visible": _("应为是或否")})
    records = records_of(session)
    TranscriptRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        live_visible=visible, updated_at=timezone.now()
    )
    session = Session.objects.select_for_update().get(pk=session.pk)
    session.version += 1
    session.save(update_fields=["version", "updated_at"])
    ledger.record(
        code=LedgerEvent.TRANSCRIPT_LIVE_SET,
        actor=actor,
        case_id=session.case_id,
        data={"session": session.pk, "visible": visible},
    )
    live.push(session.pk, "transcript.live", visible=visible, version=session.version)
    return session


def transcript_hotwords(*, session_id: int) -> list[str]:
    """What the engine should expect to hear: the parties' names, the cause of action and
    its terms, the amounts claimed, of the session's case(s)."""
    session = Session.objects.select_related("case").filter(pk=session_id).first()
    if session is None:
        return []
    words: list[str] = []
    for case in joint.cases_of(session):
        if case.cause:
            words.append(case.cause)
            words.extend(w for w in case.cause.replace("纠纷", " ").split() if w)
        amount = getattr(case, "amount_claimed", None)
        if amount:
            words.append(f"{amount:,.2f}".rstrip("0").rstrip("."))
        words.extend(case.participants.filter(active=True).values_list("display_name", flat=True))
    words.extend(session.seats.values_list("name", flat=True))
    seen, out = set(), []
    for word in words:
        word = (word or "").strip()
        if word and word not in seen:
            seen.add(word)
            out.append(word)
    return out[:100]
