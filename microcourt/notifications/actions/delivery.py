"""Delivery of outbox rows: one at a time (the low-latency path after commit) or in
batches (the sweep, bulk notices), with retries, backoff and recovery from dead workers.

A row is claimed before it is sent (status "sending", a claim token, the time). The claim
is the lock: two workers never both send a row. A worker killed mid-send leaves its rows
claimed; once the claim is older than ``NOTIFICATIONS_STALE_CLAIM_SECONDS`` another worker
takes them over and first asks the gateway whether it already has each message (by the
row's ``out_id``): found → recorded as sent with the gateway's reference and time; not
found → sent. The same lookup precedes the retry of an attempt whose answer was lost (a
time-out after the request left). So SMS and WeChat messages go out once; e-mail, whose
gateway cannot be asked, at least once."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..backends import DeliveryRejected, DeliveryUncertain, Found, backend_for
from ..models import Channel, Notification, Status
from .outbox import push_inapp_many

# Seconds before retry n (1-based); after the last, the message is marked failed.
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# The default of NOTIFICATIONS_STALE_CLAIM_SECONDS: a claim older than this belongs to a
# worker that died mid-send.
STALE_CLAIM = dt.timedelta(minutes=5)
# A batch against a slow gateway records what it has done this often, so a crash loses
# little and sent_at stays close to the gateway's own time.
FLUSH_SECONDS = 2.0


def stale_claim() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFICATIONS_STALE_CLAIM_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS)
    )


def wechat_appid() -> str:
    """The mini-program the openids belong to; "local" for the local WeChat gateway."""
    return settings.NOTIFICATIONS_WECHAT_APPID or "local"


def _claim_token() -> str:
    """Unique per claim; it starts with the process id, so an operator (or the benchmark)
    sees which worker holds a row."""
    return f"{os.getpid()}:{uuid.uuid4().hex}"[:32]


def _waiting(now: dt.datetime) -> Q:
    return Q(status__in=[Status.PENDING, Status.RETRY]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _due(now: dt.datetime) -> Q:
    return _waiting(now) | Q(status=Status.SENDING, claimed_at__lt=now - stale_claim())


@dataclass
class _Claimed:
    row: Notification
    lookup: bool  # may already be at the gateway: ask before sending
    address: str = ""


@dataclass
class _Outcome:
    pk: int
    channel: str
    status: str
    attempts: int
    ref: str = ""
    sent_at: dt.datetime | None = None
    error: str = ""
    uncertain: bool = False
    next_attempt_at: dt.datetime | None = None
    recovered: bool = False


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    recovered: int = 0  # found at the gateway after a dead worker's attempt
    retry: int = 0
    failed: int = 0
    ids: list[int] = field(default_factory=list, repr=False)


def _sent(item: _Claimed, ref, *, recovered: bool = False) -> _Outcome:
    sent_at = None
    if isinstance(ref, Found):
        ref, sent_at = ref.ref, ref.sent_at
    return _Outcome(
        pk=item.row.pk,
        channel=item.row.channel,
        status=Status.SENT,
        attempts=item.row.attempts + 1,
        ref=str(ref or "")[:128],
        sent_at=sent_at or timezone.now(),
        recovered=recovered,
    )


def _failed(item: _Claimed, exc: BaseException, now: dt.datetime, *, unsure: bool) -> _Outcome:
    attempts = item.row.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:500]
    uncertain = unsure or isinstance(exc, DeliveryUncertain)
    final = isinstance(exc, DeliveryRejected) or attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
    return _Outcome(
        pk=item.row.pk,
        channel=item.row.channel,
        status=Status.FAILED if final else Status.RETRY,
        attempts=attempts,
        error=error,
        uncertain=uncertain and not isinstance(exc, DeliveryRejected),
        next_attempt_at=None if final else now + backoff(attempts),
    )


class _NoAddress(DeliveryRejected):
    """No number, e-mail or openid on file for the channel: retrying cannot help."""


def _addresses(items: list[_Claimed]) -> None:
    """Where each row goes: its own address, else the recipient's number, e-mail or
    openid (one query for the openids of the batch)."""
    from ..selectors import openids_for

    openids = openids_for(
        {i.row.recipient_id for i in items if i.row.channel == Channel.WECHAT and not i.row.address}
    )
    for item in items:
        row, user = item.row, item.row.recipient
        if row.address:
            item.address = row.address
        elif row.channel == Channel.SMS and user is not None:
            item.address = user.phone
        elif row.channel == Channel.EMAIL and user is not None:
            item.address = user.email
        elif row.channel == Channel.WECHAT:
            item.address = openids.get(row.recipient_id, "")


def _deliver(channel: str, items: list[_Claimed], now: dt.datetime, flush) -> list[_Outcome]:
    """Send one channel's rows; ``flush(outcomes)`` records finished ones now and then."""
    if channel == Channel.INAPP:  # a scheduled in-app message: due means shown
        return [_sent(item, "") for item in items]
    outcomes: list[_Outcome] = []
    ready: list[_Claimed] = []
    for item in items:
        if not item.address:
            outcomes.append(
                _failed(item, _NoAddress("no address on file for this channel"), now, unsure=False)
            )
        else:
            ready.append(item)
    try:
        backend = backend_for(channel)
    except Exception as exc:
        return outcomes + [_failed(i, exc, now, unsure=i.lookup) for i in ready]

    to_send = [i for i in ready if not i.lookup]
    lookups = [i for i in ready if i.lookup]
    if lookups and hasattr(backend, "find"):
        if hasattr(backend, "find_many"):
            try:
                found = backend.find_many([(i.row, i.address) for i in lookups])
            except Exception as exc:
                found = [exc] * len(lookups)
        else:
            found = []
            for item in lookups:
                try:
                    found.append(backend.find(item.row, item.address))
                except Exception as exc:
                    found.append(exc)
        for item, answer in zip(lookups, found, strict=True):
            if isinstance(answer, BaseException):
                # Unknown whether it went: never send blind; try the lookup again later.
                outcomes.append(_failed(item, answer, now, unsure=True))
            elif answer:
                outcomes.append(_sent(item, answer, recovered=True))
            else:
                to_send.append(item)
    else:
        to_send += lookups  # no way to ask (e-mail): at least once

    if hasattr(backend, "send_many") and to_send:
        try:
            results = backend.send_many([(i.row, i.address) for i in to_send])
        except Exception as exc:
            results = [exc] * len(to_send)
        for item, result in zip(to_send, results, strict=True):
            if isinstance(result, BaseException):
                outcomes.append(_failed(item, result, now, unsure=False))
            else:
                outcomes.append(_sent(item, result))
        return outcomes

    last_flush = time.monotonic()
    for item in to_send:
        try:
            outcomes.append(_sent(item, backend.send(item.row, item.address)))
        except Exception as exc:  # any gateway failure is kept and retried unless final
            outcomes.append(_failed(item, exc, now, unsure=False))
        if time.monotonic() - last_flush > FLUSH_SECONDS:
            flush(outcomes)
            outcomes = []
            last_flush = time.monotonic()
    return outcomes


def _finish(outcomes: list[_Outcome], claim: str) -> list[int]:
    """Record the outcomes of rows still under ``claim`` (a claim taken over by another
    worker is not overwritten). Returns the in-app rows now shown."""
    if not outcomes:
        return []
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Notification._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS n SET status = v.status, attempts = v.attempts, "  # noqa: S608
                "sent_at = COALESCE(v.sent_at, n.sent_at), provider_ref = v.ref, "
                "last_error = v.error, next_attempt_at = v.next_at, uncertain = v.uncertain, "
                "claimed_at = NULL, claim = '' "
                "FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::timestamptz[], "
                "%s::text[], %s::text[], %s::timestamptz[], %s::bool[]) "
                "AS v(id, status, attempts, sent_at, ref, error, next_at, uncertain) "
                "WHERE n.id = v.id AND n.claim = %s",
                [
                    [o.pk for o in outcomes],
                    [o.status for o in outcomes],
                    [o.attempts for o in outcomes],
                    [o.sent_at for o in outcomes],
                    [o.ref for o in outcomes],
                    [o.error for o in outcomes],
                    [o.next_attempt_at for o in outcomes],
                    [o.uncertain for o in outcomes],
                    claim,
                ],
            )
    else:
        objs = [
            Notification(
                pk=o.pk,
                status=o.status,
                attempts=o.attempts,
                sent_at=o.sent_at,
                provider_ref=o.ref,
                last_error=o.error,
                next_attempt_at=o.next_attempt_at,
                uncertain=o.uncertain,
                claimed_at=None,
                claim="",
            )
            for o in outcomes
        ]
        fields = [
            "status",
            "attempts",
            "sent_at",
            "provider_ref",
            "last_error",
            "next_attempt_at",
            "uncertain",
            "claimed_at",
            "claim",
        ]
        # Only rows still under this claim: bulk_update keeps the queryset's filter.
        Notification.objects.filter(claim=claim).bulk_update(objs, fields, batch_size=500)
    return [o.pk for o in outcomes if o.channel == Channel.INAPP and o.status == Status.SENT]


def _run(claimed: list[_Claimed], claim: str, now: dt.datetime) -> BatchResult:
    result = BatchResult(claimed=len(claimed), ids=[c.row.pk for c in claimed])
    _addresses(claimed)
    shown: list[int] = []

    def flush(outcomes: list[_Outcome]) -> None:
        shown.extend(_finish(outcomes, claim))
        for o in outcomes:
            if o.status == Status.SENT:
                result.sent += 1
                result.recovered += o.recovered
            elif o.status == Status.RETRY:
                result.retry += 1
            else:
                result.failed += 1

    groups: dict[str, list[_Claimed]] = defaultdict(list)
    for item in claimed:
        groups[item.row.channel].append(item)
    for channel, items in groups.items():
        flush(_deliver(channel, items, now, flush))
    if shown:
        push_inapp_many(shown)
    return result


def notification_deliver(
    *, notification_id: int, now: dt.datetime | None = None
) -> Notification | None:
    """Send one outbox row (the path right after commit). It is claimed first with a
    conditional update, so two workers (or a retry racing a slow attempt) never both send
    it; a claim older than the stale limit is a dead worker's and is taken over after the
    gateway lookup. None when the row is not due (sent, scheduled, or someone else's)."""
    now = now or timezone.now()
    current = (
        Notification.objects.filter(pk=notification_id)
        .filter(_due(now))
        .values("status", "claimed_at", "uncertain")
        .first()
    )
    if current is None:
        return None
    claim = _claim_token()
    claimed = (
        Notification.objects.filter(
            pk=notification_id, status=current["status"], claimed_at=current["claimed_at"]
        )
        .filter(_due(now))
        .update(status=Status.SENDING, claimed_at=now, claim=claim)
    )
    if not claimed:
        return None
    row = Notification.objects.select_related("recipient").get(pk=notification_id)
    lookup = current["status"] == Status.SENDING or current["uncertain"]
    _run([_Claimed(row, lookup=lookup)], claim, now)
    row.refresh_from_db()
    return row


def _claim_batch(limit: int, now: dt.datetime, claim: str) -> dict[int, bool]:
    """Claim up to ``limit`` due rows, and up to ``limit`` rows of dead workers, in one
    statement; {id: needs a lookup first}."""
    stale = now - stale_claim()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Notification._meta.db_table)
        # Each CTE is an ordered range scan of its partial index, stopping at the limit:
        # neither rows sent long ago nor reminders due next month are read.
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH due AS (SELECT id, status, uncertain FROM {table} "  # noqa: S608
                "WHERE status IN (%s, %s) AND next_attempt_at <= %s "
                "ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED), "
                f"dead AS (SELECT id, status, uncertain FROM {table} "
                "WHERE status = %s AND claimed_at < %s "
                "ORDER BY claimed_at LIMIT %s FOR UPDATE SKIP LOCKED), "
                "picked AS (SELECT * FROM due UNION ALL SELECT * FROM dead) "
                f"UPDATE {table} AS n SET status = %s, claimed_at = %s, claim = %s "
                "FROM picked WHERE n.id = picked.id "
                "RETURNING n.id, picked.status, picked.uncertain",
                [
                    Status.PENDING,
                    Status.RETRY,
                    now,
                    limit,
                    Status.SENDING,
                    stale,
                    limit,
                    Status.SENDING,
                    now,
                    claim,
                ],
            )
            return {pk: was == Status.SENDING or unsure for pk, was, unsure in cursor.fetchall()}
    # Portable: on SQLite the transaction starts IMMEDIATE (settings), so it holds the
    # write lock from the first read and no other worker claims between read and update.
    with transaction.atomic():
        due = (
            Notification.objects.filter(_waiting(now))
            .order_by("next_attempt_at")
            .values_list("pk", "status", "uncertain")[:limit]
        )
        dead = (
            Notification.objects.filter(status=Status.SENDING, claimed_at__lt=stale)
            .order_by("claimed_at")
            .values_list("pk", "status", "uncertain")[:limit]
        )
        picked = [*due, *dead]
        if not picked:
            return {}
        Notification.objects.filter(pk__in=[p[0] for p in picked]).filter(_due(now)).update(
            status=Status.SENDING, claimed_at=now, claim=claim
        )
        mine = set(Notification.objects.filter(claim=claim).values_list("pk", flat=True))
    return {pk: was == Status.SENDING or unsure for pk, was, unsure in picked if pk in mine}


def notifications_deliver_batch(
    *, limit: int | None = None, now: dt.datetime | None = None
) -> BatchResult:
    """Claim up to ``limit`` due rows (``NOTIFICATIONS_BATCH_SIZE``) in one statement —
    on PostgreSQL ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)``, so
    workers running side by side take disjoint rows — send them (a backend's ``send_many``
    where it has one) and record the outcomes in bulk. Due: pending and retry rows whose
    time has come (scheduled reminders included) and claims of dead workers."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATIONS_BATCH_SIZE
    claim = _claim_token()
    picked = _claim_batch(limit, now, claim)
    if not picked:
        return BatchResult()
    rows = Notification.objects.select_related("recipient").filter(pk__in=list(picked))
    claimed = [_Claimed(row, lookup=picked[row.pk]) for row in rows]
    return _run(claimed, claim, now)


def notifications_due(now: dt.datetime | None = None) -> list[int]:
    """Rows a worker should (re)try now: due retries and scheduled rows, pending rows whose
    enqueue was lost (after a grace period, so the after-commit enqueue goes first), and
    claims abandoned by a dead worker."""
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=30)
    due = (
        Q(status=Status.RETRY, next_attempt_at__lte=now)
        | Q(status=Status.PENDING, next_attempt_at__lte=now, created_at__lte=grace)
        | Q(status=Status.PENDING, next_attempt_at__isnull=True, created_at__lte=grace)
        | Q(status=Status.SENDING, claimed_at__lt=now - stale_claim())
    )
    return list(Notification.objects.filter(due).values_list("pk", flat=True)[:1000])
