"""``notify``: the one way anything tells a person something (ARCHITECTURE §4.5), its bulk
form, scheduled reminders, and the in-app inbox's read marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from microcourt.core.effects import on_commit

from .. import templates
from ..models import Channel, Notification, Preference, Status, out_id_for


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


class _Message:
    """One notify() call, checked and rendered: the rows it makes, before preferences."""

    def __init__(
        self,
        *,
        event: str,
        idempotency_key: str,
        now: dt.datetime,
        params: Mapping[str, Any] | None = None,
        recipient=None,
        address: str = "",
        url: str = "",
        channels: Iterable[str] = (Channel.INAPP,),
        send_at: dt.datetime | None = None,
    ) -> None:
        self.channels = list(dict.fromkeys(str(c) for c in channels))
        unknown = [c for c in self.channels if c not in Channel.values]
        if unknown:
            raise ValueError(f"unknown notification channels {unknown}")
        if recipient is None and (not address or Channel.INAPP in self.channels):
            raise ValueError(
                "in-app messages need a recipient; other channels need one or an address"
            )
        if send_at is not None and timezone.is_naive(send_at):
            raise ValueError("send_at must be an aware datetime")
        self.spec = templates.lookup(event)
        self.event, self.key, self.recipient, self.address, self.url = (
            event,
            idempotency_key,
            recipient,
            address,
            url,
        )
        self.language = templates.language_of(recipient)
        self.params = templates.clean_params(params)
        # The one source of the text: the event's templates, in the recipient's language.
        title, body = self.spec.render(self.params, self.language)
        self.title, self.body = title[:200], body
        self.send_at = send_at
        self.scheduled = send_at is not None and send_at > now
        self.now = now

    def row(self, channel: str) -> Notification:
        key = f"{self.key}:{channel}"
        at_once_inapp = channel == Channel.INAPP and not self.scheduled
        return Notification(
            recipient=self.recipient,
            address=self.address,
            channel=channel,
            event=self.event,
            title=self.title,
            body=self.body,
            url=self.url,
            params=self.params,
            language=self.language,
            idempotency_key=key,
            out_id=out_id_for(key),
            status=Status.SENT if at_once_inapp else Status.PENDING,
            sent_at=self.now if at_once_inapp else None,
            send_at=self.send_at,
            # Due at once, or at its time; the claim reads waiting rows in this order.
            next_attempt_at=None
            if at_once_inapp
            else (self.send_at if self.scheduled else self.now),
            created_at=self.now,
        )


def _opted_out(messages: list[_Message]) -> set[tuple[int, str, str]]:
    """(user, category, channel) switched off, for the messages a person may switch off."""
    wanted = {
        (m.recipient.pk, m.spec.category)
        for m in messages
        if m.recipient is not None and not m.spec.is_mandatory
    }
    if not wanted:
        return set()
    users = {u for u, _ in wanted}
    categories = {c for _, c in wanted}
    return set(
        Preference.objects.filter(
            user_id__in=users, category__in=categories, enabled=False
        ).values_list("user_id", "category", "channel")
    )


def _channels(message: _Message, off: set[tuple[int, str, str]]) -> list[str]:
    """The channels a message goes out on. Mandatory notices ignore opt-outs; in-app is
    always kept: it is the record of what was said."""
    if message.recipient is None or message.spec.is_mandatory:
        return message.channels
    return [
        c
        for c in message.channels
        if c == Channel.INAPP or (message.recipient.pk, message.spec.category, c) not in off
    ]


def notify(
    *,
    event: str,
    idempotency_key: str,
    params: Mapping[str, Any] | None = None,
    recipient=None,
    address: str = "",
    url: str = "",
    channels: Iterable[str] = (Channel.INAPP,),
    send_at: dt.datetime | None = None,
) -> list[Notification]:
    """Queue a message on each channel. Call it inside the action's transaction; delivery
    starts after commit. The same ``idempotency_key`` twice gives the rows of the first
    call and sends nothing more (a retried request or task cannot notify twice).

    The caller names the event and its ``params``, never the text: the text is the
    event's templates (``templates.EVENTS``, Chinese and English) rendered with ``params``
    in the recipient's language, so every message of an event says the same thing and
    reads in the person's language; ``params`` are kept on the row for the SMS and WeChat
    templates. An event without templates, or a missing param, raises ``ValueError`` here,
    inside the caller's transaction, rather than sending a broken message. Channels the
    recipient switched off for the event's category are dropped unless the law requires the
    notice. With ``send_at`` in the future the rows wait until then (reminders)."""
    message = _Message(
        event=event,
        idempotency_key=idempotency_key,
        params=params,
        recipient=recipient,
        address=address,
        url=url,
        channels=channels,
        send_at=send_at,
        now=timezone.now(),
    )
    rows = []
    for channel in _channels(message, _opted_out([message])):
        fresh = message.row(channel)
        try:
            with transaction.atomic():
                row, created = Notification.objects.get_or_create(
                    idempotency_key=fresh.idempotency_key,
                    defaults={
                        f.attname: getattr(fresh, f.attname)
                        for f in Notification._meta.concrete_fields
                        if f.attname not in ("id", "idempotency_key")
                    },
                )
        except IntegrityError:
            row, created = Notification.objects.get(idempotency_key=fresh.idempotency_key), False
        rows.append(row)
        if not created or message.scheduled:
            continue
        if channel == Channel.INAPP:
            on_commit(push_inapp, row.pk)
        else:
            on_commit(_enqueue_delivery, row.pk)
    return rows


def notify_many(items: Iterable[Mapping[str, Any]], *, chunk: int = 500) -> int:
    """Many ``notify`` calls at once (each item: notify's keyword arguments), for court-wide
    notices and imports: rows go in with multi-row ``INSERT … ON CONFLICT DO NOTHING``, so an
    idempotency key already used adds nothing, exactly as in ``notify``. After commit the
    new in-app rows are pushed and one batch delivery is queued. Returns the rows made."""
    now = timezone.now()
    messages = [_Message(**dict(item), now=now) for item in items]
    off = _opted_out(messages)
    rows = [m.row(c) for m in messages for c in _channels(m, off)]
    fields = [f for f in Notification._meta.concrete_fields if f.attname != "id"]
    quote = connection.ops.quote_name
    table = quote(Notification._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    created: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            params = [
                f.get_db_prep_save(getattr(row, f.attname), connection)
                for row in part
                for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
                + ", ".join([placeholder] * len(part))
                + " ON CONFLICT (idempotency_key) DO NOTHING"
                + " RETURNING id, idempotency_key, status",
                params,
            )
            created += cursor.fetchall()
    pushed = [pk for pk, _, status in created if status == Status.SENT]
    if pushed:
        on_commit(push_inapp_many, pushed)
    due_now = {
        r.idempotency_key
        for r in rows
        if r.status == Status.PENDING and r.next_attempt_at and r.next_attempt_at <= now
    }
    if any(key in due_now for _, key, _ in created):
        on_commit(_enqueue_batch)
    return len(created)


def _enqueue_delivery(notification_id: int) -> None:
    from ..tasks import deliver

    deliver.enqueue(notification_id)


def _enqueue_batch() -> None:
    from ..tasks import deliver_batch

    deliver_batch.enqueue()


def _payload(row: Notification, unread: int) -> dict:
    return {
        "type": "notification.new",
        "id": row.pk,
        "title": row.title,
        "body": row.body,
        "url": row.url,
        "event": row.event,
        # For the socket to render the text again in its reader's language (not sent on).
        "params": row.params,
        "language": row.language,
        "created_at": row.created_at.isoformat(),
        "unread": unread,
    }


def push_inapp(notification_id: int) -> None:
    """Push a stored in-app message to the recipient's open pages (best effort: it is
    already in the inbox either way)."""
    row = Notification.objects.filter(pk=notification_id, status=Status.SENT).first()
    if row is None or row.recipient_id is None:
        return
    async_to_sync(get_channel_layer().group_send)(
        user_group(row.recipient_id), _payload(row, unread_count(row.recipient_id))
    )


def push_inapp_many(notification_ids: list[int]) -> None:
    """The pushes of many in-app rows: one unread count per person, one event loop."""
    rows = list(
        Notification.objects.filter(
            pk__in=notification_ids, status=Status.SENT, recipient__isnull=False
        ).only(
            "id",
            "recipient_id",
            "title",
            "body",
            "url",
            "event",
            "params",
            "language",
            "created_at",
        )
    )
    if not rows:
        return
    unread = dict(
        Notification.objects.filter(
            recipient_id__in={r.recipient_id for r in rows},
            channel=Channel.INAPP,
            status=Status.SENT,
            read_at__isnull=True,
        )
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    layer = get_channel_layer()

    async def send_all() -> None:
        for row in rows:
            await layer.group_send(
                user_group(row.recipient_id), _payload(row, unread.get(row.recipient_id, 0))
            )

    async_to_sync(send_all)()


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(
        recipient_id=user_id, channel=Channel.INAPP, status=Status.SENT, read_at__isnull=True
    ).count()


def notification_mark_read(*, user, notification_id: int) -> int:
    """Mark one of the user's in-app messages read; another user's id changes nothing."""
    return Notification.objects.filter(
        pk=notification_id,
        recipient=user,
        channel=Channel.INAPP,
        status=Status.SENT,
        read_at__isnull=True,
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Channel.INAPP, status=Status.SENT, read_at__isnull=True
    ).update(read_at=timezone.now())


# -- reminders before deadlines ---------------------------------------------------------------

DEFAULT_OFFSETS = (dt.timedelta(days=1), dt.timedelta(hours=2))


def reminders_schedule(
    *,
    event: str,
    deadline: dt.datetime,
    recipient=None,
    params: Mapping[str, Any] | None = None,
    idempotency_key: str,
    offsets: Iterable[dt.timedelta] = DEFAULT_OFFSETS,
    channels: Iterable[str] = (Channel.INAPP, Channel.SMS),
    address: str = "",
    url: str = "",
) -> list[Notification]:
    """One scheduled message per offset before ``deadline`` that is still in the future
    (a reminder whose time has passed is not sent late). Keys are
    ``<idempotency_key>:before:<seconds>``, so scheduling again changes nothing, and
    ``reminders_cancel(idempotency_key)`` withdraws those not yet sent. ``params`` gain
    ``deadline`` (Asia/Shanghai, "YYYY-MM-DD HH:MM") unless given."""
    if timezone.is_naive(deadline):
        raise ValueError("deadline must be an aware datetime")
    now = timezone.now()
    values = {"deadline": deadline, **dict(params or {})}
    rows: list[Notification] = []
    for offset in sorted(set(offsets), reverse=True):
        at = deadline - offset
        if at <= now:
            continue
        rows += notify(
            event=event,
            idempotency_key=f"{idempotency_key}:before:{int(offset.total_seconds())}",
            params=values,
            recipient=recipient,
            address=address,
            url=url,
            channels=channels,
            send_at=at,
        )
    return rows


def reminders_cancel(idempotency_key_prefix: str) -> int:
    """Withdraw scheduled messages not yet sent whose key starts with the prefix (the
    deadline was met, or moved: schedule again under a new key). Returns how many."""
    if not idempotency_key_prefix:
        raise ValueError("a prefix is required")
    return Notification.objects.filter(
        idempotency_key__startswith=idempotency_key_prefix,
        status__in=[Status.PENDING, Status.RETRY],
    ).update(status=Status.CANCELLED, next_attempt_at=None, last_error="cancelled")
