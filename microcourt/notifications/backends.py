"""Delivery backends, one per outside channel. The defaults really work locally: SMS is
kept in the outbox and printed to the console, clearly marked as not sent to any phone;
e-mail goes through Django's configured mail backend. Real gateways implement
``send(notification, address) -> provider reference`` and are chosen in settings."""

from __future__ import annotations

import sys
import uuid
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from microcourt.core.crypto import mask


class DeliveryError(Exception):
    """A failed attempt that may succeed later (gateway down, rate limited)."""


class Backend(Protocol):
    def send(self, notification, address: str) -> str: ...


SMS_SIGNATURE = "【微法院】"


def signed(body: str) -> str:
    """Chinese SMS carry the sender's signature in 【】 first; add it once."""
    return body if body.startswith("【") else SMS_SIGNATURE + body


class LocalSmsBackend:
    """Development and demo SMS: nothing leaves the machine."""

    def send(self, notification, address: str) -> str:
        ref = f"local-{uuid.uuid4().hex[:12]}"
        national = address.removeprefix("+86")
        sys.stdout.write(
            f"[本地短信·未发往手机 LOCAL SMS, not sent] to {mask(national)} ref {ref}: "
            f"{signed(notification.body)}\n"
        )
        sys.stdout.flush()
        return ref


class DjangoEmailBackend:
    def send(self, notification, address: str) -> str:
        sent = send_mail(
            notification.title,
            notification.body
            + (f"\n\n{settings.PUBLIC_BASE_URL}{notification.url}" if notification.url else ""),
            settings.DEFAULT_FROM_EMAIL,
            [address],
        )
        if sent != 1:
            raise DeliveryError("the mail backend accepted no message")
        return f"email-{uuid.uuid4().hex[:12]}"


def backend_for(channel: str) -> Backend:
    if channel == "sms":
        return import_string(settings.SMS_BACKEND)()
    if channel == "email":
        return DjangoEmailBackend()
    raise ValueError(f"no delivery backend for channel {channel!r}")
