"""``notify``: the one way anything tells a person something (ARCHITECTURE §4.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from microcourt.core.effects import on_commit

from .backends import DeliveryError, backend_for
from .models import Channel, Notification, Status

# Seconds before retry n (1-based); after the last, the message is marked failed.
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# A row claimed longer ago than this belongs to a worker that died mid-send.
STALE_CLAIM = dt.timedelta(minutes=5)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS)
    )


def notify(
    *,
    event: str,
    title: str,
    body: str,
    idempotency_key: str,
    recipient=None,
    address: str = "",
    url: str = "",
    channels: Iterable[str] = (Channel.INAPP,),
) -> list[Notification]:
    """Queue a message on each channel. Call it inside the action's transaction; delivery
    starts after commit. The same ``idempotency_key`` twice gives the rows of the first
    call and sends nothing more (a retried request or task cannot notify twice)."""
    channels = list(channels)
    if recipient is None and (not address or Channel.INAPP in channels):
        raise ValueError("in-app messages need a recipient; other channels need one or an address")
    rows = []
    for channel in channels:
        key = f"{idempotency_key}:{channel}"
        try:
            with transaction.atomic():
                row, created = Notification.objects.get_or_create(
                    idempotency_key=key,
                    defaults={
                        "recipient": recipient,
                        "address": address,
                        "channel": channel,
                        "event": event,
                        "title": title[:200],
                        "body": body,
                        "url": url,
                        "status": Status.SENT if channel == Channel.INAPP else Status.PENDING,
                        "sent_at": timezone.now() if channel == Channel.INAPP else None,
                    },
                )
        except IntegrityError:
            row, created = Notification.objects.get(idempotency_key=key), False
        rows.append(row)
        if not created:
            continue
        if channel == Channel.INAPP:
            on_commit(push_inapp, row.pk)
        else:
            on_commit(_enqueue_delivery, row.pk)
    return rows


def _enqueue_delivery(notification_id: int) -> None:
    from .tasks import deliver

    deliver.enqueue(notification_id)


def push_inapp(notification_id: int) -> None:
    """Push a stored in-app message to the recipient's open pages (best effort: it is
    already in the inbox either way)."""
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None or row.recipient_id is None:
        return
    unread = unread_count(row.recipient_id)
    async_to_sync(get_channel_layer().group_send)(
        user_group(row.recipient_id),
        {
            "type": "notification.new",
            "id": row.pk,
            "title": row.title,
            "body": row.body,
            "url": row.url,
            "event": row.event,
            "created_at": row.created_at.isoformat(),
            "unread": unread,
        },
    )


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(
        recipient_id=user_id, channel=Channel.INAPP, read_at__isnull=True
    ).count()


def _address(row: Notification) -> str:
    if row.address:
        return row.address
    user = row.recipient
    if row.channel == Channel.SMS and user is not None and user.phone:
        return user.phone
    if row.channel == Channel.EMAIL and user is not None and user.email:
        return user.email
    return ""


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one outbox row. It is claimed first with a conditional update, so two workers
    (or a retry racing a slow attempt) never both send it; a claim older than STALE_CLAIM
    is a dead worker's and may be taken over."""
    now = timezone.now()
    claimable = Notification.objects.filter(pk=notification_id).exclude(channel=Channel.INAPP)
    claimed = (
        claimable.filter(status__in=[Status.PENDING, Status.RETRY], next_attempt_at__isnull=True)
        | claimable.filter(status__in=[Status.PENDING, Status.RETRY], next_attempt_at__lte=now)
        | claimable.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    ).update(status=Status.SENDING, claimed_at=now)
    if not claimed:
        return None
    row = Notification.objects.select_related("recipient").get(pk=notification_id)
    attempts = row.attempts + 1
    address = _address(row)
    try:
        if not address:
            raise DeliveryError("no address on file for this channel")
        ref = backend_for(row.channel).send(row, address)
    except Exception as exc:  # any gateway failure is retried; the reason is kept
        final = attempts >= settings.NOTIFICATION_MAX_ATTEMPTS or not address
        Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(
            status=Status.FAILED if final else Status.RETRY,
            attempts=attempts,
            next_attempt_at=None if final else now + backoff(attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:500],
            claimed_at=None,
        )
    else:
        Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(
            status=Status.SENT,
            attempts=attempts,
            sent_at=timezone.now(),
            provider_ref=ref[:128],
            last_error="",
            claimed_at=None,
            next_attempt_at=None,
        )
    row.refresh_from_db()
    return row


def notifications_due(now: dt.datetime | None = None) -> list[int]:
    """Rows a worker should (re)try now: due retries, pending rows whose enqueue was lost,
    and claims abandoned by a dead worker."""
    now = now or timezone.now()
    base = Notification.objects.exclude(channel=Channel.INAPP)
    due = (
        base.filter(status=Status.RETRY, next_attempt_at__lte=now)
        | base.filter(status=Status.PENDING, created_at__lte=now - dt.timedelta(seconds=30))
        | base.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    )
    return list(due.values_list("pk", flat=True)[:1000])


def notification_mark_read(*, user, notification_id: int) -> int:
    """Mark one of the user's in-app messages read; another user's id changes nothing."""
    return Notification.objects.filter(
        pk=notification_id, recipient=user, channel=Channel.INAPP, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Channel.INAPP, read_at__isnull=True
    ).update(read_at=timezone.now())
