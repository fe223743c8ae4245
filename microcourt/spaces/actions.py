"""Writes of case spaces: posting, retracting, pinning, read marks and strong reminders.
Every write is a ledger entry (ARCHITECTURE §4.7); pushes and notifications go out after
commit (§4.5)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import COURT_ROLES, PARTY_ROLES, Case
from microcourt.core import pdf, uploads
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications.models import Channel

from . import events, policies, selectors
from .events import LedgerEvent
from .models import (
    AckStatus,
    Mention,
    Message,
    MessageKind,
    Pin,
    ReadMark,
    Reminder,
    ReminderAck,
    SpaceCounter,
    Thread,
    ThreadKind,
)
from .policies import RETRACT_WINDOW, Member  # noqa: F401  (RETRACT_WINDOW: re-exported)
from .states import ACK

MAX_TEXT = 5000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Voice notes from MediaRecorder: Chromium/Firefox record WebM (libmagic may call it video),
# Firefox also Ogg/Opus, Safari MP4/AAC.
VOICE = frozenset({"audio/webm", "video/webm", "audio/ogg", "audio/x-opus+ogg", "audio/mp4"})
ALLOWED = uploads.FILED_DOCUMENTS | VOICE
MENTION = re.compile(r"@([^\s@，,。:：]+)")


def space_group(case_id: int) -> str:
    return f"space.{case_id}"


def reminder_delay() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SPACES_STRONG_REMINDER_SECONDS)


# --- helpers --------------------------------------------------------------------------------


def _thread(case: Case, member: Member, kind: str, party: int | None) -> Thread:
    """The thread to post in, opened on first use."""
    if kind == ThreadKind.MAIN:
        thread, _created = Thread.objects.get_or_create(case=case, kind=ThreadKind.MAIN)
        return thread
    if kind != ThreadKind.COURT:
        raise InvalidInput(_("会话不正确"), fields={"thread": _("请选择群聊或联系法官")})
    if party is None and len(member.party_ids) == 1:
        party = next(iter(member.party_ids))
    if party is None:
        raise InvalidInput(_("请选择当事人"), fields={"party": _("请选择要联系的当事人一方")})
    policies.require_write_to(member, party)
    if not case_selectors.participants_of(case).filter(pk=party, role__in=PARTY_ROLES).exists():
        raise InvalidInput(_("当事人不正确"), fields={"party": _("请选择本案的当事人")})
    thread, _created = Thread.objects.get_or_create(
        case=case, kind=ThreadKind.COURT, party_id=party
    )
    return thread


def _next_seq(case: Case) -> int:
    """The next sequence number, from the case's counter row held locked until commit: two
    senders never share a number and numbers commit in order (a gap-fill sees a prefix)."""
    SpaceCounter.objects.get_or_create(case=case)
    counter = SpaceCounter.objects.select_for_update().get(case=case)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return counter.last_seq


def _push(case_id: int, audience: Iterable[int], payload: dict) -> None:
    """Best effort: the message is stored; a client that misses this fills the gap by seq."""
    async_to_sync(get_channel_layer().group_send)(
        space_group(case_id),
        {"type": "space.event", "audience": sorted(audience), "payload": payload},
    )


def _push_after_commit(message: Message) -> None:
    """Queue the live push before anything else the action leaves for after commit (the
    ledger's integration, notifications): members see the message as soon as it is stored.
    The payload is built now, from the row just written, so the push reads nothing again."""
    on_commit(
        _push, message.case_id, selectors.audience(message.thread), selectors.message_out(message)
    )


def _mentioned(text: str, thread: Thread, explicit: Iterable[int]) -> set[int]:
    """Users named with @name (or picked in the client) who can see the thread."""
    audience = selectors.audience(thread)
    names = set(MENTION.findall(text))
    found = {int(u) for u in explicit if int(u) in audience}
    if names:
        for p in case_selectors.participants_of(thread.case).filter(user_id__in=audience):
            if p.display_name in names or getattr(p.user, "display_name", None) in names:
                found.add(p.user_id)
    return found


# --- posting --------------------------------------------------------------------------------


@transaction.atomic
def message_post(
    *,
    case: Case,
    actor: Actor,
    text: str = "",
    upload=None,
    thread: str = ThreadKind.MAIN,
    party: int | None = None,
    mentions: Iterable[int] = (),
    now: dt.datetime | None = None,
) -> Message:
    """Post a message (在线诉讼规则第二十条: the platform keeps what participants send, unchanged).
    Refused, with nothing stored, for a closed or withdrawn case, for anyone who is not (or no
    longer) an active participant, and for a file whose content is not an allowed type."""
    actor, member = policies.require_post(actor, case)
    text = str(text or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            _("消息太长"), fields={"text": _("不能超过 %(n)s 个字") % {"n": MAX_TEXT}}
        )
    target = _thread(case, member, thread, party)
    stored = name = None
    if upload is not None:
        stored = uploads.accept(
            upload, field="file", allowed=ALLOWED, max_bytes=MAX_UPLOAD_BYTES, prefix="spaces"
        )
        mime, name = stored.mime, (getattr(upload, "name", "") or "")[:200]
        kind = (
            MessageKind.IMAGE
            if mime in uploads.IMAGES
            else MessageKind.VOICE
            if mime in VOICE
            else MessageKind.FILE
        )
        digest = stored.digest
    elif text:
        kind = MessageKind.TEXT
        digest = ledger.digest_of(text.encode("utf-8"))
    else:
        raise InvalidInput(_("请输入消息内容"), fields={"text": _("消息不能为空")})
    message = Message.objects.create(
        case=case,
        thread=target,
        seq=_next_seq(case),
        sender_id=member.user_id,
        sender_name=member.name[:200],
        sender_role=member.role,
        kind=kind,
        text=text,
        attachment_path=stored.path if stored else "",
        attachment_name=name or "",
        attachment_mime=stored.mime if stored else "",
        attachment_size=stored.size if stored else None,
        digest=digest,
        created_at=now or timezone.now(),
    )
    _push_after_commit(message)
    ledger.record(
        code=LedgerEvent.MESSAGE_POSTED,
        actor=actor,
        case_id=case.pk,
        subject_digest=digest,
        data={"message": message.pk, "seq": message.seq, "thread": target.pk, "kind": kind},
    )
    for user_id in _mentioned(text, target, mentions) - {member.user_id}:
        Mention.objects.create(message=message, user_id=user_id)
        notifications.notify(
            recipient=_user(user_id),
            event=events.MENTIONED,
            params={"name": member.name, "text": text[:200]},
            url=f"/cases/{case.pk}/space/#m{message.seq}",
            idempotency_key=f"spaces.mention:{message.pk}:{user_id}",
        )
    return message


def _user(user_id: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user_id)


@transaction.atomic
def message_retract(
    *, case: Case, actor: Actor, message_id: int, now: dt.datetime | None = None
) -> Message:
    """Take a message back: a new message that names it (the original stays in the record).
    The sender may within two minutes; the court's people on the case at any time."""
    actor, member = policies.require_post(actor, case)
    now = now or timezone.now()
    original = Message.objects.filter(
        pk=message_id, case=case, thread__in=selectors.threads_for(case, member)
    ).first()
    if original is None:
        raise NotFound(_("没有找到该消息"))
    policies.require_retract(member, original, now)
    if Message.objects.filter(retracts=original).exists():
        raise Conflict(_("该消息已撤回"), code="already_retracted")
    digest = ledger.digest_of(f"retract:{original.digest}".encode())
    try:
        with transaction.atomic():
            message = Message.objects.create(
                case=case,
                thread=original.thread,
                seq=_next_seq(case),
                sender_id=member.user_id,
                sender_name=member.name[:200],
                sender_role=member.role,
                kind=MessageKind.RETRACTION,
                retracts=original,
                digest=digest,
                created_at=now,
            )
    except IntegrityError:
        raise Conflict(_("该消息已撤回"), code="already_retracted") from None
    _push_after_commit(message)
    ledger.record(
        code=LedgerEvent.MESSAGE_RETRACTED,
        actor=actor,
        case_id=case.pk,
        subject_digest=original.digest,
        data={"message": message.pk, "retracts": original.pk, "seq": message.seq},
    )
    return message


# --- pins -----------------------------------------------------------------------------------


def _message(case: Case, member: Member, message_id: int) -> Message:
    message = (
        Message.objects.filter(
            pk=message_id, case=case, thread__in=selectors.threads_for(case, member)
        )
        .select_related("thread")
        .first()
    )
    if message is None:
        raise NotFound(_("没有找到该消息"))
    return message


@transaction.atomic
def message_pin(*, case: Case, actor: Actor, message_id: int) -> Pin:
    """Pin a court notice at the top of the space (court roles only; the message is not
    changed, a Pin row is added)."""
    actor, member = policies.require_moderate(actor, case)
    message = _message(case, member, message_id)
    if message.kind == MessageKind.RETRACTION:
        raise InvalidInput(_("撤回记录不能置顶"))
    pin = Pin.objects.filter(message=message, unpinned_at__isnull=True).first()
    if pin is not None:
        return pin
    pin = Pin.objects.create(case=case, message=message, pinned_by_id=member.user_id)
    ledger.record(
        code=LedgerEvent.MESSAGE_PINNED,
        actor=actor,
        case_id=case.pk,
        subject_digest=message.digest,
        data={"message": message.pk, "pin": pin.pk},
    )
    on_commit(
        _push,
        case.pk,
        selectors.audience(message.thread),
        {"type": "pin", "message": message.pk, "seq": message.seq, "text": message.text},
    )
    return pin


@transaction.atomic
def message_unpin(*, case: Case, actor: Actor, message_id: int) -> int:
    """Take a notice off the top of the space (the court's people on the case; the pin row
    is ended, not deleted)."""
    actor, member = policies.require_moderate(actor, case)
    message = _message(case, member, message_id)
    ended = Pin.objects.filter(message=message, unpinned_at__isnull=True).update(
        unpinned_at=timezone.now()
    )
    if ended:
        ledger.record(
            code=LedgerEvent.MESSAGE_UNPINNED,
            actor=actor,
            case_id=case.pk,
            subject_digest=message.digest,
            data={"message": message.pk},
        )
        on_commit(
            _push,
            case.pk,
            selectors.audience(message.thread),
            {"type": "unpin", "message": message.pk},
        )
    return ended


# --- read receipts --------------------------------------------------------------------------


@transaction.atomic
def read_mark(*, case: Case, actor: Actor, thread_id: int, seq: int) -> ReadMark:
    """Record that the member has read the thread up to ``seq`` (only ever forward)."""
    actor, member = policies.member_on(actor, case)
    thread = selectors.thread_for(case, member, thread_id)
    last = (
        Message.objects.filter(thread=thread, seq__lte=seq)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    if last is None:
        raise InvalidInput(_("没有可标记已读的消息"), fields={"seq": _("序号不正确")})
    mark, _created = ReadMark.objects.get_or_create(thread=thread, user_id=member.user_id)
    mark = ReadMark.objects.select_for_update().get(pk=mark.pk)
    if last <= mark.last_read_seq:
        return mark
    mark.last_read_seq = last
    mark.updated_at = timezone.now()
    mark.save(update_fields=["last_read_seq", "updated_at"])
    ledger.record(
        code=LedgerEvent.READ_MARKED,
        actor=actor,
        case_id=case.pk,
        data={"thread": thread.pk, "seq": last},
    )
    on_commit(
        _push,
        case.pk,
        selectors.audience(thread),
        {"type": "read", "thread": thread.pk, "user": member.user_id, "seq": last},
    )
    return mark


# --- strong reminders (强提醒) -----------------------------------------------------------------


@transaction.atomic
def reminder_set(
    *, case: Case, actor: Actor, message_id: int, now: dt.datetime | None = None
) -> Reminder:
    """Mark a message as key: each party-side member of its thread must acknowledge it; an
    acknowledgement still missing after SPACES_STRONG_REMINDER_SECONDS goes out by SMS."""
    actor, member = policies.require_moderate(actor, case)
    policies.require_open(case)
    message = _message(case, member, message_id)
    if message.kind == MessageKind.RETRACTION or hasattr(message, "retraction"):
        raise InvalidInput(_("已撤回的消息不能设为强提醒"))
    now = now or timezone.now()
    if Reminder.objects.filter(message=message).exists():
        raise Conflict(_("该消息已是强提醒"), code="reminder_exists")
    reminder = Reminder.objects.create(
        message=message,
        marked_by_id=member.user_id,
        created_at=now,
        escalate_at=now + reminder_delay(),
    )
    court_users = _court_users(case)
    addressees = sorted(selectors.audience(message.thread) - court_users)
    for user_id in addressees:
        ack = ReminderAck.objects.create(reminder=reminder, user_id=user_id)
        notifications.notify(
            recipient=_user(user_id),
            event=events.REMINDER,
            params={"text": (message.text or message.attachment_name)[:200]},
            url=f"/cases/{case.pk}/space/#m{message.seq}",
            idempotency_key=f"spaces.reminder:{ack.pk}",
        )
    ledger.record(
        code=LedgerEvent.REMINDER_SET,
        actor=actor,
        case_id=case.pk,
        subject_digest=message.digest,
        data={"message": message.pk, "reminder": reminder.pk, "addressees": len(addressees)},
    )
    on_commit(
        _push,
        case.pk,
        addressees,
        {"type": "reminder", "message": message.pk, "seq": message.seq},
    )
    count = {"total": len(addressees), "acknowledged": 0}
    on_commit(_push, case.pk, court_users, {"type": "ack", "message": message.pk, **count})
    return reminder


@transaction.atomic
def reminder_acknowledge(
    *, case: Case, actor: Actor, message_id: int, now: dt.datetime | None = None
) -> ReminderAck:
    """The addressee confirms it has read a key message (强提醒); confirming twice, or at the
    moment another device does, changes nothing more."""
    actor, member = policies.member_on(actor, case)
    message = _message(case, member, message_id)
    ack = ReminderAck.objects.filter(reminder__message=message, user_id=member.user_id).first()
    if ack is None:
        raise NotFound(_("没有需要您确认的强提醒"))
    if ack.status == AckStatus.ACKNOWLEDGED:
        return ack
    try:
        ACK.apply(
            ack, "acknowledge", actor=actor, updates={"acknowledged_at": now or timezone.now()}
        )
    except Conflict:
        ack.refresh_from_db()  # the other device's confirmation won; it is recorded once
        return ack
    # The court's people see the count move (已确认 k/n on the key message).
    count = selectors.reminder_counts(case).get(message.pk, {})
    on_commit(_push, case.pk, _court_users(case), {"type": "ack", "message": message.pk, **count})
    return ack


def _court_users(case: Case) -> set[int]:
    return set(
        case_selectors.participants_of(case)
        .filter(role__in=COURT_ROLES)
        .values_list("user_id", flat=True)
    )


def reminders_escalate(*, now: dt.datetime | None = None) -> int:
    """Send the SMS for every overdue, unacknowledged key message. Each acknowledgement row is
    claimed by its transition (a conditional update) and the SMS carries an idempotency key,
    so a retried or concurrent run never sends twice."""
    now = now or timezone.now()
    sent = 0
    for ack_id in list(selectors.reminders_due(now).values_list("pk", flat=True)[:500]):
        sent += _escalate_one(ack_id, now)
    return sent


@transaction.atomic
def _escalate_one(ack_id: int, now: dt.datetime) -> int:
    ack = ReminderAck.objects.select_related("reminder__message__case", "user").get(pk=ack_id)
    if ack.status != AckStatus.PENDING:
        return 0
    try:
        ACK.apply(
            ack,
            "escalate",
            actor=Actor.system("strong reminder not acknowledged"),
            updates={"escalated_at": now},
        )
    except Conflict:
        return 0  # confirmed, or claimed by another worker, since it was read
    message = ack.reminder.message
    case = message.case
    notifications.notify(
        recipient=ack.user,
        event=events.REMINDER_SMS,
        params={"case": case.number or case.title},
        url=f"/cases/{case.pk}/space/#m{message.seq}",
        channels=[Channel.SMS],
        idempotency_key=f"spaces.reminder.sms:{ack.pk}",
    )
    return 1


def space_export(*, case: Case, actor: Actor) -> bytes:
    """The space as the actor may see it, as a PDF. The export is a read of the whole space:
    logged with the document's digest (ARCHITECTURE §4.7).

    Not one transaction: a short read, the render with no transaction open (on SQLite an
    open write transaction would keep every other writer waiting for the whole render),
    then the ledger entry in a short one. The render runs in a child process killed at
    ``RENDER_BUDGET_SECONDS``: past it the export fails with the reason
    (``core.pdf.RenderTimeout``) and nothing is recorded."""
    actor, _member = policies.member_on(actor, case)
    html = selectors.export_html(case, actor)
    document = pdf.render(html)
    with transaction.atomic():
        ledger.record(
            code=LedgerEvent.SPACE_EXPORTED,
            actor=actor,
            case_id=case.pk,
            subject_digest=ledger.digest_of(document),
        )
    return document
