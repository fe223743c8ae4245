"""The outbox: idempotent notify, delivery after commit with retries and backoff, the
local SMS backend, dead-worker take-over, and reading only one's own messages."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from microcourt.notifications import actions
from microcourt.notifications.models import Channel, Notification, Status

pytestmark = pytest.mark.django_db(transaction=True)


def notify_one(user, channel, body="b"):
    """One message on one channel, with a fixed idempotency key."""
    return actions.notify(
        recipient=user,
        event="test.notice",
        params={"title": "t", "text": body},
        idempotency_key="k",
        channels=[channel],
    )


FEE_NOTICE = "请于 2026-12-07 前缴纳案件受理费 ¥1,050.00（壹仟零伍拾元整）。"


def send_fee_notice(user, key="fee-notice:1"):
    return actions.notify(
        recipient=user,
        event="payments.order_created",
        params={"due": "2026-12-07", "what": "案件受理费", "amount": "¥1,050.00",
                "words": "壹仟零伍拾元整"},
        url="/cases/1/",
        idempotency_key=key,
        channels=[Channel.INAPP, Channel.SMS, Channel.EMAIL],
    )  # fmt: skip


def test_each_channel_gets_one_row_and_the_same_key_twice_adds_nothing(plaintiff_zhang):
    first = send_fee_notice(plaintiff_zhang)
    again = send_fee_notice(plaintiff_zhang)
    assert [r.pk for r in first] == [r.pk for r in again]
    assert Notification.objects.count() == 3
    inapp = Notification.objects.get(channel=Channel.INAPP)
    assert inapp.status == Status.SENT and inapp.read_at is None


def test_sms_goes_through_the_local_backend_marked_and_masked(plaintiff_zhang, run_tasks, capfd):
    plaintiff_zhang.email = "zhang@example.cn"
    plaintiff_zhang.save()
    send_fee_notice(plaintiff_zhang)
    run_tasks()
    out = capfd.readouterr().out
    assert "LOCAL SMS, not sent" in out and "138****2222" in out
    assert "13811112222" not in out
    assert FEE_NOTICE in out
    sms = Notification.objects.get(channel=Channel.SMS)
    assert sms.status == Status.SENT and sms.attempts == 1 and sms.provider_ref.startswith("local-")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhang@example.cn"]


def test_a_failing_gateway_is_retried_with_backoff_then_marked_failed(
    plaintiff_zhang, settings, run_tasks
):
    settings.SMS_BACKEND = "microcourt.notifications.tests.test_notify.DownGateway"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    notify_one(plaintiff_zhang, Channel.SMS)
    run_tasks()
    sms = Notification.objects.get()
    assert sms.status == Status.RETRY and sms.attempts == 1
    assert "gateway down" in sms.last_error
    assert (
        dt.timedelta(seconds=25) < sms.next_attempt_at - timezone.now() <= dt.timedelta(seconds=30)
    )
    assert actions.notification_deliver(notification_id=sms.pk) is None  # not due yet

    for expected_attempts in (2, 3):
        Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
        actions.notification_deliver(notification_id=sms.pk)
        sms.refresh_from_db()
        assert sms.attempts == expected_attempts
    assert sms.status == Status.FAILED and sms.next_attempt_at is None


def test_backoff_doubles_and_is_capped():
    assert [actions.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert actions.backoff(20).total_seconds() == actions.BACKOFF_MAX_SECONDS


def test_a_row_claimed_by_a_dead_worker_is_taken_over_and_sent_once(plaintiff_zhang, capfd):
    notify_one(plaintiff_zhang, Channel.SMS, body="送达提醒")
    sms = Notification.objects.get()
    # A worker claimed it and was killed before sending.
    Notification.objects.filter(pk=sms.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=6)
    )
    assert actions.notifications_due() == [sms.pk]
    actions.notification_deliver(notification_id=sms.pk)
    actions.notification_deliver(notification_id=sms.pk)  # a duplicate enqueue
    assert capfd.readouterr().out.count("送达提醒") == 1
    sms.refresh_from_db()
    assert sms.status == Status.SENT


def test_a_fresh_claim_is_not_stolen(plaintiff_zhang):
    notify_one(plaintiff_zhang, Channel.SMS)
    Notification.objects.update(status=Status.SENDING, claimed_at=timezone.now())
    assert actions.notification_deliver(notification_id=Notification.objects.get().pk) is None


def test_sms_to_an_address_without_an_account(run_tasks, capfd):
    actions.notify(
        address="+8613700001111",
        event="identity.sms_code",
        params={"code": "482913", "minutes": 5},
        idempotency_key="code:1",
        channels=[Channel.SMS],
    )
    run_tasks()
    assert "137****1111" in capfd.readouterr().out
    assert Notification.objects.get().status == Status.SENT


def test_a_recipient_without_an_address_fails_clearly(plaintiff_zhang, run_tasks):
    notify_one(plaintiff_zhang, Channel.EMAIL)
    run_tasks()
    row = Notification.objects.get()
    assert row.status == Status.FAILED and "no address" in row.last_error


def test_in_app_messages_need_a_recipient():
    with pytest.raises(ValueError):
        actions.notify(
            address="+8613700001111",
            event="test.notice",
            params={"title": "t", "text": "b"},
            idempotency_key="k",
            channels=[Channel.INAPP],
        )


def test_inbox_marks_read_only_ones_own_messages(client, plaintiff_zhang, defendant_wang):
    mine = send_fee_notice(plaintiff_zhang)[0]
    client.force_login(defendant_wang)
    client.post(f"/inbox/{mine.pk}/read/")
    mine.refresh_from_db()
    assert mine.read_at is None
    assert "缴费通知" not in client.get("/inbox/").content.decode()
    client.force_login(plaintiff_zhang)
    assert "缴费通知" in client.get("/inbox/").content.decode()
    client.post(f"/inbox/{mine.pk}/read/")
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_notifications_api_lists_and_marks_read(client, plaintiff_zhang):
    note = send_fee_notice(plaintiff_zhang)[0]
    client.force_login(plaintiff_zhang)
    items = client.get("/api/v1/notifications").json()["items"]
    assert [i["title"] for i in items] == ["缴费通知"] and items[0]["read"] is False
    csrf = client.get("/").cookies["csrftoken"].value
    response = client.post(f"/api/v1/notifications/{note.pk}/read", HTTP_X_CSRFTOKEN=csrf)
    assert response.json() == {"unread": 0}


class DownGateway:
    def send(self, notification, address):
        raise ConnectionError("gateway down")
