"""微信订阅消息: binding through jscode2session, the access token's life, the send call's
shape, refusals, the message-push endpoint with its signature, and the local gateway."""

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from microcourt.core.errors import InvalidInput
from microcourt.notifications import actions, selectors
from microcourt.notifications.models import (
    Channel,
    Delivery,
    LocalGatewayMessage,
    Notification,
    Status,
    WechatBinding,
    WechatSentEvent,
)

pytestmark = pytest.mark.django_db(transaction=True)


def serve(user, key="served:1", title="民事起诉状副本"):
    return actions.notify(
        recipient=user,
        event="service.served",
        params={
            "case_number": "(2026)浙0203民初1号",
            "document_title": title,
            "url": "/s/abc",
        },
        idempotency_key=key,
        channels=[Channel.INAPP, Channel.WECHAT],
    )


def bind(wechat, user, openid="oAbCdEfGhIjKlMnOpQrStUvWxYz0"):
    wechat.codes["code-1"] = {"openid": openid, "unionid": "u-1"}
    return actions.wechat_bind(user=user, code="code-1")


def test_binding_exchanges_the_login_code_for_the_openid(wechat, plaintiff_zhang):
    binding = bind(wechat, plaintiff_zhang)
    assert binding.appid == "wx-test-app" and binding.openid == "oAbCdEfGhIjKlMnOpQrStUvWxYz0"
    with pytest.raises(InvalidInput) as refused:
        actions.wechat_bind(user=plaintiff_zhang, code="used-or-invalid")
    assert "凭证" in str(refused.value.message)
    assert WechatBinding.objects.count() == 1


def test_a_wechat_account_moves_to_whoever_proves_it_now(wechat, plaintiff_zhang, defendant_wang):
    bind(wechat, plaintiff_zhang, openid="oSame")
    bind(wechat, defendant_wang, openid="oSame")
    assert list(WechatBinding.objects.values_list("user__username", flat=True)) == [
        "defendant_wang"
    ]


def test_a_subscription_message_is_sent_in_the_published_shape(wechat, plaintiff_zhang, run_tasks):
    bind(wechat, plaintiff_zhang)
    plaintiff_zhang.preferred_language = "en"
    plaintiff_zhang.save(update_fields=["preferred_language"])
    serve(plaintiff_zhang, title="一份很长很长的文书标题超过了二十个字的限制需要截断处理")
    run_tasks()
    (message,) = wechat.sent
    assert message["touser"] == "oAbCdEfGhIjKlMnOpQrStUvWxYz0"
    assert message["template_id"] == "TPL-SERVED"
    assert message["page"] == "pages/cases/detail?url=/s/abc"
    assert message["miniprogram_state"] == "formal" and message["lang"] == "en_US"
    assert message["data"]["character_string2"] == {"value": "(2026)浙0203民初1号"}
    assert len(message["data"]["thing1"]["value"]) == 20  # thing.DATA: 20 characters at most
    row = Notification.objects.get(channel=Channel.WECHAT)
    assert row.status == Status.SENT and row.provider_ref == str(message["msgid"])
    assert wechat.token_calls == 1


def test_the_token_is_cached_and_renewed_when_expired(wechat, plaintiff_zhang, run_tasks):
    bind(wechat, plaintiff_zhang)
    serve(plaintiff_zhang, key="a")
    serve(plaintiff_zhang, key="b")
    run_tasks()
    assert wechat.token_calls == 1 and len(wechat.sent) == 2
    wechat.expire()  # 42001 on the cached token
    serve(plaintiff_zhang, key="c")
    run_tasks()
    assert len(wechat.sent) == 3 and wechat.token_calls == 2
    assert Notification.objects.filter(channel=Channel.WECHAT, status=Status.SENT).count() == 3


def test_a_user_who_refused_the_subscription_fails_without_retries(
    wechat, plaintiff_zhang, run_tasks
):
    bind(wechat, plaintiff_zhang, openid="oRefuses")
    wechat.refusing.add("oRefuses")
    serve(plaintiff_zhang)
    run_tasks()
    row = Notification.objects.get(channel=Channel.WECHAT)
    assert row.status == Status.FAILED and row.attempts == 1 and "43101" in row.last_error
    # the in-app notice is there regardless
    assert Notification.objects.get(channel=Channel.INAPP).status == Status.SENT


def test_without_a_binding_there_is_no_address(wechat, plaintiff_zhang, run_tasks):
    serve(plaintiff_zhang)
    run_tasks()
    row = Notification.objects.get(channel=Channel.WECHAT)
    assert row.status == Status.FAILED and "no address" in row.last_error
    assert wechat.sent == []


def push(client, token, body, *, content_type="application/json", signature=None):
    timestamp, nonce = str(int(timezone.now().timestamp())), "nonce-1"
    digest = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324
    query = f"?signature={signature or digest}&timestamp={timestamp}&nonce={nonce}"
    return client.post("/notifications/callbacks/wechat/" + query, body, content_type)


def test_the_push_endpoint_verifies_and_records_delivery(wechat, settings, client, plaintiff_zhang):
    settings.NOTIFICATIONS_WECHAT_PUSH_TOKEN = "push-token"
    bind(wechat, plaintiff_zhang)
    serve(plaintiff_zhang)
    row = Notification.objects.get(channel=Channel.WECHAT)
    actions.notification_deliver(notification_id=row.pk)
    row.refresh_from_db()

    verify = client.get(
        "/notifications/callbacks/wechat/",
        {
            "signature": hashlib.sha1(  # noqa: S324 - WeChat's scheme
                "".join(sorted(["push-token", "1700000000", "n"])).encode()
            ).hexdigest(),
            "timestamp": "1700000000",
            "nonce": "n",
            "echostr": "echo-me",
        },
    )
    assert verify.content == b"echo-me"

    event = {
        "ToUserName": "gh_123456789abc",
        "FromUserName": "oAbCdEfGhIjKlMnOpQrStUvWxYz0",
        "CreateTime": "1764468000",
        "MsgType": "event",
        "Event": "subscribe_msg_sent_event",
        "List": {
            "TemplateId": "TPL-SERVED",
            "MsgID": row.provider_ref,
            "ErrorCode": "0",
            "ErrorStatus": "success",
        },
    }
    forged = push(client, "push-token", json.dumps(event), signature="0" * 40)
    assert forged.status_code == 403
    assert push(client, "push-token", json.dumps(event)).content == b"success"
    row.refresh_from_db()
    assert row.delivery == Delivery.DELIVERED
    assert row.delivered_at.isoformat() == "2025-11-30T02:00:00+00:00"
    facts = selectors.delivery_facts([row.pk])[row.pk]
    assert facts["delivery"] == "delivered"
    assert facts["address"] == "oAbC" + "*" * 20 + "xYz0"  # the openid, masked


def test_an_xml_push_of_an_undelivered_message(wechat, settings, client, plaintiff_zhang):
    settings.NOTIFICATIONS_WECHAT_PUSH_TOKEN = "push-token"
    bind(wechat, plaintiff_zhang)
    serve(plaintiff_zhang)
    row = Notification.objects.get(channel=Channel.WECHAT)
    actions.notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    xml = f"""<xml>
<ToUserName><![CDATA[gh_123456789abc]]></ToUserName>
<FromUserName><![CDATA[oAbCdEfGhIjKlMnOpQrStUvWxYz0]]></FromUserName>
<CreateTime>1764468000</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[subscribe_msg_sent_event]]></Event>
<SubscribeMsgSentEvent>
<List>
<TemplateId><![CDATA[TPL-SERVED]]></TemplateId>
<MsgID>{row.provider_ref}</MsgID>
<ErrorCode>20001</ErrorCode>
<ErrorStatus><![CDATA[failed:user block]]></ErrorStatus>
</List>
</SubscribeMsgSentEvent>
</xml>"""
    assert push(client, "push-token", xml, content_type="text/xml").content == b"success"
    row.refresh_from_db()
    assert row.delivery == Delivery.UNDELIVERED and "user block" in row.delivery_reason
    assert WechatSentEvent.objects.get().msgid == row.provider_ref


def test_a_dead_workers_message_is_found_through_the_push(
    wechat, settings, client, plaintiff_zhang
):
    """WeChat cannot be asked what it sent, but it pushes each message it sent: a stale
    claim whose message was pushed is recorded as sent, not sent again."""
    settings.NOTIFICATIONS_WECHAT_PUSH_TOKEN = "push-token"
    bind(wechat, plaintiff_zhang)
    serve(plaintiff_zhang)
    row = Notification.objects.get(channel=Channel.WECHAT)
    # The worker sent it and died before recording the msgid.
    from microcourt.notifications.backends.wechat import WechatSubscribeBackend

    backend = WechatSubscribeBackend()
    msgid = backend.send(row, "oAbCdEfGhIjKlMnOpQrStUvWxYz0")
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=10)
    )
    event = {
        "FromUserName": "oAbCdEfGhIjKlMnOpQrStUvWxYz0",
        "CreateTime": str(int(timezone.now().timestamp())),
        "MsgType": "event",
        "Event": "subscribe_msg_sent_event",
        "List": [{"TemplateId": "TPL-SERVED", "MsgID": msgid, "ErrorCode": 0}],
    }
    push(client, "push-token", json.dumps(event))
    result = actions.notifications_deliver_batch()
    assert (result.claimed, result.recovered) == (1, 1)
    row.refresh_from_db()
    assert row.status == Status.SENT and row.provider_ref == msgid
    assert len(wechat.sent) == 1


def test_the_local_wechat_gateway_records_and_prints(plaintiff_zhang, run_tasks, capfd):
    actions.wechat_bind(user=plaintiff_zhang, code="dev")
    serve(plaintiff_zhang)
    run_tasks()
    row = Notification.objects.get(channel=Channel.WECHAT)
    assert row.status == Status.SENT and row.provider_ref.startswith("local-")
    logged = LocalGatewayMessage.objects.get()
    assert logged.channel == "wechat" and logged.out_id == row.out_id
    out = capfd.readouterr().out
    assert "LOCAL WECHAT, not sent" in out and "送达通知" in out
