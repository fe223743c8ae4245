"""Delivery backends, one per outside channel, chosen in settings.

The defaults really work locally: SMS and WeChat messages are recorded in the local
gateway's table (what /notifications/outbox/ shows as the "phone") and printed to the
console, clearly marked as not sent; e-mail goes through Django's configured mail backend.
Real gateways: ``aliyun.AliyunSmsBackend`` (阿里云短信服务) and
``wechat.WechatSubscribeBackend`` (小程序订阅消息).

A backend implements ``send(notification, address) -> provider reference`` and, where the
gateway can say whether it already has a message, ``find(notification, address)`` → the
reference (or a ``Found``) or None: a worker killed mid-send leaves its rows claimed, and
the next worker looks them up before sending again. ``send_many`` / ``find_many`` are
optional batch forms (one answer per item, an exception instance for a failed one).

Errors: ``DeliveryError`` (and any other exception) is retried with backoff;
``DeliveryUncertain`` means the request may have reached the gateway (time-out after it
left) and the retry looks it up first; ``DeliveryRejected`` fails the message at once
(a refused number, a user who declined WeChat messages, a gateway configuration error).
"""

from __future__ import annotations

import datetime as dt
import sys
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from microcourt.core.crypto import mask


class DeliveryError(Exception):
    """A failed attempt that may succeed later (gateway down, rate limited)."""


class DeliveryUncertain(DeliveryError):
    """The attempt may have reached the gateway: look it up before sending again."""


class DeliveryRejected(Exception):
    """The gateway refused the message for good: retrying would not help."""


class GatewayConfigurationError(DeliveryRejected):
    """Our side is misconfigured (wrong key or secret, unapproved template or signature):
    failed at once and logged, so an operator fixes it instead of the queue retrying."""


class Found(NamedTuple):
    """A message the gateway already has: its reference and, when the gateway says, when
    it was accepted (the sending time that counts)."""

    ref: str
    sent_at: dt.datetime | None = None


class Backend(Protocol):
    def send(self, notification, address: str) -> str: ...


SMS_SIGNATURE = "【微法院】"


def signed(body: str) -> str:
    """Chinese SMS carry the sender's signature in 【】 first; add it once."""
    return body if body.startswith("【") else SMS_SIGNATURE + body


def national(phone: str) -> str:
    """What Chinese gateways take: the 11-digit national number for +86, otherwise the
    country code and number without "+"."""
    if phone.startswith("+86"):
        return phone[3:]
    return phone.removeprefix("+")


class LocalGateway(ABC):
    """The local gateway's log (``LocalGatewayMessage``): one row per outbox message.
    Recording is one upsert: a message already there is not recorded or printed again, its
    attempt is counted (``send_count``) and the earlier reference is returned."""

    channel = ""
    label = ""

    def _masked(self, address: str) -> str:
        return mask(address)

    @abstractmethod
    def _line(self, notification, address: str, ref: str) -> str:
        """The console line that shows one message (each local gateway labels its own)."""

    def _record(self, items: Sequence[tuple[object, str]]) -> list[str]:
        from microcourt.notifications.models import LocalGatewayMessage

        if not items:
            return []
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        table = connection.ops.quote_name(LocalGatewayMessage._meta.db_table)
        columns = (
            "channel, out_id, notification_id, to_masked, event, title, body, provider_ref, "
            "send_count, created_at, last_attempt_at"
        )
        values, params = [], []
        for notification, address in items:
            values.append("(%s, %s, %s, %s, %s, %s, %s, %s, 1, %s, %s)")
            params += [
                self.channel,
                notification.out_id,
                notification.pk,
                self._masked(address)[:64],
                notification.event[:64],
                notification.title[:200],
                notification.body,
                f"local-{notification.out_id[:16]}",
                stamp,
                stamp,
            ]
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join(values)} "  # noqa: S608
            f"ON CONFLICT (out_id) DO UPDATE SET send_count = {table}.send_count + 1, "
            "last_attempt_at = excluded.last_attempt_at "
            "RETURNING out_id, provider_ref, send_count"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            recorded = {out_id: (ref, count) for out_id, ref, count in cursor.fetchall()}
        lines = []
        refs = []
        for notification, address in items:
            ref, count = recorded[notification.out_id]
            refs.append(ref)
            if count == 1:  # a new message: the "phone" shows it once
                lines.append(self._line(notification, address, ref))
        if lines:
            sys.stdout.write("".join(lines))
            sys.stdout.flush()
        return refs

    def send(self, notification, address: str) -> str:
        return self._record([(notification, address)])[0]

    def send_many(self, items: Sequence[tuple[object, str]]) -> list[str | BaseException]:
        return list(self._record(items))

    def find(self, notification, address: str) -> Found | None:
        return self.find_many([(notification, address)])[0]

    def find_many(self, items: Sequence[tuple[object, str]]) -> list[Found | None]:
        from microcourt.notifications.models import LocalGatewayMessage

        known = {
            m.out_id: Found(m.provider_ref, m.created_at)
            for m in LocalGatewayMessage.objects.filter(
                out_id__in=[n.out_id for n, _ in items]
            ).only("out_id", "provider_ref", "created_at")
        }
        return [known.get(n.out_id) for n, _ in items]


class LocalSmsBackend(LocalGateway):
    """Development and demo SMS: nothing leaves the machine."""

    channel = "sms"

    def _masked(self, address: str) -> str:
        return mask(national(address))

    def _line(self, notification, address: str, ref: str) -> str:
        return (
            f"[本地短信·未发往手机 LOCAL SMS, not sent] to {self._masked(address)} ref {ref}: "
            f"{signed(notification.body)}\n"
        )


class LocalWechatBackend(LocalGateway):
    """Development and demo WeChat subscription messages: recorded and printed only."""

    channel = "wechat"

    def _masked(self, address: str) -> str:
        return mask(address, keep_start=4, keep_end=4)

    def _line(self, notification, address: str, ref: str) -> str:
        return (
            f"[本地微信·未发往微信 LOCAL WECHAT, not sent] to {self._masked(address)} "
            f"ref {ref}: {notification.title} {notification.body}\n"
        )


class DjangoEmailBackend:
    """E-mail through Django's mail backend. SMTP gives no way to ask whether a message
    was already handed over, so e-mail is at least once: a worker killed between the
    hand-over and recording it sends the message again on recovery. The Message-ID is the
    same on every attempt, so mail systems and clients can fold the copies."""

    def _message(self, notification, address: str, connection=None) -> EmailMessage:
        text = notification.body + (
            f"\n\n{settings.PUBLIC_BASE_URL}{notification.url}" if notification.url else ""
        )
        domain = settings.SITE_ORIGIN.split("/")[0] or "microcourt.localhost"
        return EmailMessage(
            notification.title,
            text,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            connection=connection,
            headers={"Message-ID": f"<{notification.out_id}@{domain}>"},
        )

    def send(self, notification, address: str) -> str:
        if self._message(notification, address).send() != 1:
            raise DeliveryError("the mail backend accepted no message")
        return f"email-{notification.out_id[:16]}"

    def send_many(self, items: Sequence[tuple[object, str]]) -> list[str | BaseException]:
        results: list[str | BaseException] = []
        with get_connection() as shared:  # one SMTP session for the batch
            for notification, address in items:
                try:
                    if self._message(notification, address, shared).send() != 1:
                        raise DeliveryError("the mail backend accepted no message")
                    results.append(f"email-{notification.out_id[:16]}")
                except Exception as exc:  # one bad address must not fail the batch
                    results.append(exc)
        return results


def backend_for(channel: str) -> Backend:
    if channel == "sms":
        path = settings.SMS_BACKEND
    elif channel == "wechat":
        path = settings.WECHAT_BACKEND
    elif channel == "email":
        return DjangoEmailBackend()
    else:
        raise ValueError(f"no delivery backend for channel {channel!r}")
    return import_string(path)()
