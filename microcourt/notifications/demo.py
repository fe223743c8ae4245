"""Demo mode only: the SMS a browser session asked for, shown back to that session.

The demo sends no real SMS (the local gateway records and prints them), so a newcomer who
signs up or logs in with a code needs to see it somewhere. Not on the outbox page — that
lists every log-in code sent and would hand anyone the demo accounts — but on a page that
shows only the messages this browser's session itself asked for: the account pages record
the ids of the SMS they queue in the session (:func:`remember`), and the page reads those
rows alone (:func:`sent_to_this_session`). Another browser, or this one after logging out
(the session is flushed), sees nothing. Outside the demo nothing is recorded or shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from .models import Channel, LocalGatewayMessage, Notification

SESSION_KEY = "demo_sms"
KEEP = 10  # the latest few: a resend or a change of number adds one


def remember(request, rows: Iterable[Notification]) -> None:
    """Note in the requesting session the SMS just queued for it (demo mode only)."""
    if not settings.DEMO_MODE or request is None or not hasattr(request, "session"):
        return
    ids = [row.pk for row in rows if row.channel == Channel.SMS]
    if not ids:
        return
    earlier = [pk for pk in request.session.get(SESSION_KEY, []) if isinstance(pk, int)]
    request.session[SESSION_KEY] = (ids + earlier)[:KEEP]


def sent_to_this_session(request) -> list[LocalGatewayMessage]:
    """What the local SMS gateway recorded for this session's own requests, newest first.
    Empty outside the demo, and for a real SMS gateway (it records nothing here)."""
    if not settings.DEMO_MODE:
        return []
    ids = [pk for pk in request.session.get(SESSION_KEY, []) if isinstance(pk, int)]
    if not ids:
        return []
    return list(
        LocalGatewayMessage.objects.filter(channel=Channel.SMS, notification_id__in=ids).order_by(
            "-created_at", "-pk"
        )
    )
