"""A stored message reads in the language of the person reading it, not the one it was
written in: written in Chinese (the recipient's account language), it is shown in English
to a reader who switched to English (inbox page, API, the live push), and in Chinese
otherwise. Rows the templates cannot render again keep their stored text."""

import re

import pytest
from channels.testing import WebsocketCommunicator

from microcourt.notifications import actions
from microcourt.notifications.consumers import NotificationConsumer
from microcourt.notifications.models import Channel, Notification, Status

HAN = re.compile(r"[\u4e00-\u9fff]")


def fee_notice(user, key="fee:1"):
    (row,) = actions.notify(
        recipient=user,
        event="payments.order_created",
        params={"due": "2026-12-07", "what": "案件受理费", "amount": "¥1,050.00",
                "words": "壹仟零伍拾元整"},
        idempotency_key=key,
    )  # fmt: skip
    return row


@pytest.mark.django_db
def test_a_fee_notice_written_in_chinese_is_read_in_english_after_the_switch(
    client, plaintiff_zhang
):
    row = fee_notice(plaintiff_zhang)
    assert row.title == "缴费通知" and "案件受理费" in row.body  # stored as written
    client.force_login(plaintiff_zhang)

    page = client.get("/inbox/").content.decode()
    assert "缴费通知" in page and "请于 2026-12-07 前缴纳案件受理费" in page

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/inbox/").content.decode()
    assert "Fee notice" in page
    assert "Please pay the Case-acceptance fee of ¥1,050.00 (壹仟零伍拾元整) by 2026-12-07." in page
    assert "缴费通知" not in page and "案件受理费" not in page

    (item,) = client.get("/api/v1/notifications").json()["items"]
    assert item["title"] == "Fee notice"
    # Only the amount in Chinese capitals (大写) stays: Chinese by law, as on the fee notice.
    assert not HAN.search(item["body"].replace("壹仟零伍拾元整", "")), item["body"]


@pytest.mark.django_db
def test_an_old_row_the_templates_cannot_render_keeps_its_stored_text(client, plaintiff_zhang):
    Notification.objects.create(
        recipient=plaintiff_zhang, channel=Channel.INAPP, event="retired.event",
        title="旧通知", body="旧的内容", idempotency_key="old:1", status=Status.SENT,
        language="zh-hans",
    )  # fmt: skip
    client.force_login(plaintiff_zhang)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    (item,) = client.get("/api/v1/notifications").json()["items"]
    assert (item["title"], item["body"]) == ("旧通知", "旧的内容")


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_live_push_speaks_the_language_of_the_open_page(plaintiff_zhang):
    from asgiref.sync import sync_to_async

    english = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    english.scope["user"] = plaintiff_zhang
    english.scope["cookies"] = {"django_language": "en"}
    chinese = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    chinese.scope["user"] = plaintiff_zhang
    assert (await english.connect())[0] and (await chinese.connect())[0]
    await sync_to_async(fee_notice)(plaintiff_zhang)
    message = await english.receive_json_from(timeout=3)
    assert message["title"] == "Fee notice" and message["body"].startswith("Please pay the")
    assert "params" not in message and "language" not in message
    assert (await chinese.receive_json_from(timeout=3))["title"] == "缴费通知"
    await english.disconnect()
    await chinese.disconnect()
