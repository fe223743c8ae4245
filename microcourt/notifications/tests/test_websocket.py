"""The per-user notification websocket, end to end through the channel layer."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from microcourt.notifications import actions
from microcourt.notifications.consumers import NotificationConsumer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def communicator(user):
    app = NotificationConsumer.as_asgi()
    comm = WebsocketCommunicator(app, "/ws/notifications/")
    comm.scope["user"] = user
    return comm


async def test_anonymous_sockets_are_accepted_and_closed_with_4401():
    """Accepted first, so that the browser gets the close code (4401: log in again) and
    stops, instead of an HTTP 403 it would retry for ever; nothing is sent before the close."""
    comm = communicator(AnonymousUser())
    connected, _subprotocol = await comm.connect()
    assert connected
    assert await comm.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4401,
        "reason": "login required",
    }


async def test_a_new_message_reaches_only_its_recipients_open_pages(
    plaintiff_zhang, defendant_wang
):
    from asgiref.sync import sync_to_async

    mine, theirs = communicator(plaintiff_zhang), communicator(defendant_wang)
    assert (await mine.connect())[0] and (await theirs.connect())[0]
    await sync_to_async(actions.notify)(
        recipient=plaintiff_zhang,
        event="test.notice",
        params={"title": "立案通知", "text": "您的起诉已立案。"},
        idempotency_key="accepted:1",
    )
    message = await mine.receive_json_from(timeout=3)
    assert message["type"] == "notification" and message["title"] == "立案通知"
    assert message["body"] == "您的起诉已立案。"
    assert message["unread"] == 1
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()
