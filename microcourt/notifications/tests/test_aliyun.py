"""阿里云短信: signing by the published rules, sending approved templates, telling retryable
from permanent refusals, finding a message after a lost answer, status reports."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from microcourt.notifications import actions
from microcourt.notifications.backends import aliyun
from microcourt.notifications.models import Channel, Delivery, Notification, Status

from .gateways import pop_signature

pytestmark = pytest.mark.django_db(transaction=True)

# The worked examples in Aliyun's documentation (短信服务 HTTP 签名, RPC 签名机制).
DOC_SMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_RPC = {
    "Format": "XML",
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Version": "2014-05-26",
    "Timestamp": "2016-02-23T12:46:24Z",
}


def test_the_signature_matches_aliyuns_worked_examples():
    assert aliyun.signature(DOC_SMS, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert aliyun.signature(DOC_RPC, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    # and the test gateway's own reading of the rules agrees with both
    assert pop_signature(DOC_SMS, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert pop_signature(DOC_RPC, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_percent_encoding_follows_rfc_3986_not_form_encoding():
    assert aliyun.percent_encode("a b*~") == "a%20b%2A~"
    assert aliyun.percent_encode("/=&+") == "%2F%3D%26%2B"
    assert aliyun.percent_encode("派") == "%E6%B4%BE"


def code_sms(phone="+8613700001111", code="482913", key="code:1"):
    return actions.notify(
        address=phone,
        event="identity.sms_code",
        params={"code": code, "minutes": 5},
        idempotency_key=key,
        channels=[Channel.SMS],
    )[0]


def test_a_log_in_code_goes_out_as_its_approved_template(aliyun, run_tasks):
    row = code_sms()
    assert row.body == "【微法院】验证码 482913，5 分钟内有效，请勿告诉他人。"
    run_tasks()
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1
    (sms,) = aliyun.sent
    assert sms["phone"] == "13700001111"  # the national number for +86
    assert sms["template"] == "SMS_100" and sms["params"] == {"code": "482913"}
    assert sms["sign_name"] == "微法院"
    assert sms["out_id"] == row.out_id and len(row.out_id) == 32
    assert row.provider_ref == sms["biz_id"]
    assert row.sent_at is not None


def test_a_wrong_secret_is_a_configuration_error_and_fails_at_once(aliyun, settings, run_tasks):
    settings.NOTIFICATIONS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    row = code_sms()
    run_tasks()
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 1 and row.next_attempt_at is None
    assert "configuration error" in row.last_error and "SignatureDoesNotMatch" in row.last_error
    assert aliyun.sent == []


def test_an_illegal_number_fails_without_retries(aliyun, run_tasks):
    row = code_sms(phone="+8612345")
    run_tasks()
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 1
    assert "isv.MOBILE_NUMBER_ILLEGAL" in row.last_error


def test_an_event_without_an_approved_template_fails_clearly(aliyun, plaintiff_zhang, run_tasks):
    actions.notify(
        recipient=plaintiff_zhang,
        event="demo.welcome",
        idempotency_key="w:1",
        channels=[Channel.SMS],
    )
    run_tasks()
    row = Notification.objects.get()
    assert row.status == Status.FAILED
    assert "no approved SMS template for 'demo.welcome'" in row.last_error


def test_throttling_is_retried_with_backoff_then_sent_once(aliyun, run_tasks):
    aliyun.fail = ["isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR"]
    row = code_sms()
    run_tasks()
    row.refresh_from_db()
    assert row.status == Status.RETRY and "BUSINESS_LIMIT_CONTROL" in row.last_error
    assert not row.uncertain
    for attempts in (2, 3):
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        actions.notification_deliver(notification_id=row.pk)
        row.refresh_from_db()
        assert row.attempts == attempts
    assert row.status == Status.SENT and len(aliyun.sent) == 1


def test_an_answer_lost_after_sending_is_looked_up_not_sent_twice(aliyun, settings, run_tasks):
    """The gateway accepted the SMS but its answer never came (time-out): the retry asks
    QuerySendDetails for the OutId and records the message as sent."""
    settings.NOTIFICATIONS_ALIYUN_TIMEOUT = 1
    aliyun.delay = 1.5
    row = code_sms()
    run_tasks()
    row.refresh_from_db()
    assert row.status == Status.RETRY and row.uncertain
    assert len(aliyun.sent) == 1
    aliyun.delay = 0
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    actions.notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == Status.SENT and not row.uncertain
    assert row.provider_ref == f"out:{row.out_id}"
    assert aliyun.queries >= 1 and len(aliyun.sent) == 1
    # the gateway's own send time, not the time of the lookup
    assert (
        row.sent_at.astimezone(aliyun_tz()).strftime("%Y-%m-%d %H:%M:%S")
        == (aliyun.sent[0]["send_date"])
    )


def aliyun_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_a_stale_claim_not_at_the_gateway_is_sent(aliyun):
    row = code_sms()
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=6)
    )
    result = actions.notifications_deliver_batch()
    assert (result.claimed, result.sent, result.recovered) == (1, 1, 0)
    assert aliyun.queries >= 1 and len(aliyun.sent) == 1


def test_status_reports_record_delivery_and_need_the_secret_token(aliyun, settings, client):
    settings.NOTIFICATIONS_ALIYUN_REPORT_TOKEN = "report-secret-token"
    row = code_sms()
    actions.notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    report = [
        {
            "phone_number": "13700001111",
            "send_time": aliyun.sent[0]["send_date"],
            "report_time": "2026-11-30 10:00:05",
            "success": False,
            "err_code": "MK:0001",
            "err_msg": "用户关机",
            "sms_size": "1",
            "biz_id": row.provider_ref,
            "out_id": row.out_id,
        }
    ]
    wrong = client.post(
        "/notifications/callbacks/aliyun-sms/guess/", json.dumps(report), "application/json"
    )
    assert wrong.status_code == 404
    answer = client.post(
        "/notifications/callbacks/aliyun-sms/report-secret-token/",
        json.dumps(report),
        "application/json",
    )
    assert answer.json() == {"code": 0, "msg": "成功"}
    row.refresh_from_db()
    assert row.delivery == Delivery.UNDELIVERED and "MK:0001" in row.delivery_reason
    assert row.delivered_at.isoformat() == "2026-11-30T02:00:05+00:00"
    report[0].update(success=True, err_code="DELIVERED", report_time="2026-11-30 10:01:00")
    client.post(
        "/notifications/callbacks/aliyun-sms/report-secret-token/",
        json.dumps(report),
        "application/json",
    )
    row.refresh_from_db()
    assert row.delivery == Delivery.DELIVERED and row.delivery_reason == ""


def test_a_report_settles_a_row_whose_worker_died_before_recording(aliyun, settings, client):
    settings.NOTIFICATIONS_ALIYUN_REPORT_TOKEN = "t0ken"
    row = code_sms()
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_at=timezone.now(), claim="dead-worker"
    )
    client.post(
        "/notifications/callbacks/aliyun-sms/t0ken/",
        json.dumps(
            [
                {
                    "out_id": row.out_id,
                    "biz_id": "123^0",
                    "success": "true",
                    "send_time": "2026-11-30 09:59:59",
                    "report_time": "2026-11-30 10:00:01",
                }
            ]
        ),
        "application/json",
    )
    row.refresh_from_db()
    assert row.status == Status.SENT and row.provider_ref == "123^0"
    assert row.sent_at.isoformat() == "2026-11-30T01:59:59+00:00"
    assert (
        actions.notifications_deliver_batch(now=timezone.now() + dt.timedelta(hours=1)).claimed == 0
    )
