"""Batch delivery, the local gateway that never sends one message twice, the bulk path,
scheduled reminders before deadlines, delivery facts for other apps, and the local
"phone" page."""

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.utils import timezone

from microcourt.identity.tests.factories import UserFactory
from microcourt.identity.tests.test_mfa import enrol_totp
from microcourt.notifications import actions, selectors
from microcourt.notifications.models import (
    Channel,
    LocalGatewayMessage,
    Notification,
    Status,
)

pytestmark = pytest.mark.django_db(transaction=True)


def bulk_items(users, prefix="court-notice", channels=(Channel.INAPP, Channel.SMS)):
    return [
        {
            "recipient": user,
            "event": "deadline.reminder",
            "params": {"what": "举证", "deadline": "2026-12-07 17:00"},
            "idempotency_key": f"{prefix}:{user.pk}",
            "channels": channels,
        }
        for user in users
    ]


@pytest.fixture
def people(db):
    return [UserFactory(phone=f"1380000{n:04d}") for n in range(12)]


def test_a_batch_claims_sends_and_records_in_bulk(people, capfd):
    created = actions.notify_many(bulk_items(people))
    assert created == 24
    assert Notification.objects.filter(channel=Channel.INAPP, status=Status.SENT).count() == 12
    first = actions.notifications_deliver_batch(limit=5)
    assert (first.claimed, first.sent) == (5, 5)
    rest = actions.notifications_deliver_batch(limit=50)
    assert (rest.claimed, rest.sent) == (7, 7)
    assert actions.notifications_deliver_batch().claimed == 0
    sms = Notification.objects.filter(channel=Channel.SMS)
    assert set(sms.values_list("status", flat=True)) == {Status.SENT}
    assert all(r.sent_at and r.provider_ref.startswith("local-") for r in sms)
    assert LocalGatewayMessage.objects.count() == 12
    out = capfd.readouterr().out
    assert out.count("LOCAL SMS, not sent") == 12 and "138****0003" in out


def test_the_bulk_path_keeps_the_idempotency_of_notify(people, run_tasks):
    assert actions.notify_many(bulk_items(people[:4])) == 8
    # a retried import: the same keys add nothing, new people are added
    assert actions.notify_many(bulk_items(people[:6])) == 4
    (again,) = actions.notify(
        recipient=people[0],
        event="deadline.reminder",
        params={"what": "举证", "deadline": "2026-12-07 17:00"},
        idempotency_key=f"court-notice:{people[0].pk}",
        channels=[Channel.SMS],
    )
    assert Notification.objects.count() == 12
    assert again.idempotency_key == f"court-notice:{people[0].pk}:sms"
    run_tasks()  # the queued batch task
    assert Notification.objects.filter(channel=Channel.SMS, status=Status.SENT).count() == 6


def test_a_resend_after_a_crash_finds_the_earlier_message_at_the_local_gateway(people, capfd):
    """The worker recorded the SMS at the gateway, then died before marking the row: the
    recovery looks it up and does not send again; even a blind resend is not delivered
    twice (the gateway counts the attempt and answers with the first reference)."""
    actions.notify_many(bulk_items(people[:3], channels=[Channel.SMS]))
    rows = list(Notification.objects.order_by("pk").select_related("recipient"))
    from microcourt.notifications.backends import LocalSmsBackend

    refs = LocalSmsBackend().send_many([(r, r.recipient.phone) for r in rows[:2]])
    Notification.objects.update(
        status=Status.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=10), claim="dead"
    )
    result = actions.notifications_deliver_batch()
    assert (result.claimed, result.sent, result.recovered) == (3, 3, 2)
    assert dict(
        Notification.objects.filter(pk__in=[r.pk for r in rows[:2]]).values_list(
            "pk", "provider_ref"
        )
    ) == {rows[0].pk: refs[0], rows[1].pk: refs[1]}
    assert set(LocalGatewayMessage.objects.values_list("send_count", flat=True)) == {1}
    assert capfd.readouterr().out.count("LOCAL SMS, not sent") == 3
    assert LocalSmsBackend().send(rows[0], rows[0].recipient.phone) == refs[0]
    assert LocalGatewayMessage.objects.get(out_id=rows[0].out_id).send_count == 2


def test_a_fresh_claim_of_another_worker_is_left_alone(people):
    actions.notify_many(bulk_items(people[:2], channels=[Channel.SMS]))
    Notification.objects.update(status=Status.SENDING, claimed_at=timezone.now(), claim="alive")
    assert actions.notifications_deliver_batch().claimed == 0
    later = timezone.now() + actions.stale_claim() + dt.timedelta(seconds=1)
    assert actions.notifications_deliver_batch(now=later).claimed == 2


def test_a_late_result_of_a_worker_whose_claim_was_taken_over_is_ignored(people):
    from microcourt.notifications.actions.delivery import _finish, _Outcome

    (row,) = actions.notify(
        recipient=people[0],
        event="test.notice",
        params={"title": "t", "text": "b"},
        idempotency_key="k",
        channels=[Channel.SMS],
    )
    Notification.objects.filter(pk=row.pk).update(status=Status.SENT, claim="", provider_ref="B")
    _finish([_Outcome(pk=row.pk, channel="sms", status=Status.FAILED, attempts=1)], "old-claim")
    row.refresh_from_db()
    assert row.status == Status.SENT and row.provider_ref == "B"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's")
def test_two_workers_claim_disjoint_rows_on_postgresql(people):
    import threading

    actions.notify_many(bulk_items(people, channels=[Channel.SMS]))
    results, barrier = [], threading.Barrier(2)

    def worker():
        from django.db import connection as own

        barrier.wait()
        try:
            results.append(actions.notifications_deliver_batch(limit=8).ids)
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = results
    assert not set(a) & set(b) and len(a) + len(b) == 12


def test_a_scheduled_message_waits_for_its_time(plaintiff_zhang, run_tasks):
    at = timezone.now() + dt.timedelta(hours=3)
    rows = actions.notify(
        recipient=plaintiff_zhang,
        event="deadline.reminder",
        params={"what": "缴费", "deadline": "2026-12-07 17:00"},
        idempotency_key="remind:1",
        channels=[Channel.INAPP, Channel.SMS],
        send_at=at,
    )
    assert {r.status for r in rows} == {Status.PENDING}
    run_tasks()
    assert actions.notifications_deliver_batch().claimed == 0
    assert actions.notification_deliver(notification_id=rows[1].pk) is None
    assert actions.unread_count(plaintiff_zhang.pk) == 0  # not in the inbox before its time
    result = actions.notifications_deliver_batch(now=at + dt.timedelta(seconds=1))
    assert (result.claimed, result.sent) == (2, 2)
    assert actions.unread_count(plaintiff_zhang.pk) == 1
    assert LocalGatewayMessage.objects.count() == 1


def test_reminders_before_a_deadline_are_idempotent_and_cancellable(plaintiff_zhang):
    deadline = timezone.now() + dt.timedelta(hours=30)

    def schedule():
        return actions.reminders_schedule(
            event="deadline.reminder",
            deadline=deadline,
            recipient=plaintiff_zhang,
            params={"what": "举证期限"},
            idempotency_key="evidence.deadline:7",
        )

    rows = schedule()
    assert len(rows) == 4  # one day and two hours before, in-app and SMS each
    assert schedule() == rows or {r.pk for r in schedule()} == {r.pk for r in rows}
    assert Notification.objects.count() == 4
    send_times = sorted({r.send_at for r in rows})
    assert send_times == [deadline - dt.timedelta(days=1), deadline - dt.timedelta(hours=2)]
    local = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    assert rows[0].params["deadline"] == local and local in rows[0].body

    soon = actions.reminders_schedule(
        event="deadline.reminder",
        deadline=timezone.now() + dt.timedelta(hours=5),
        recipient=plaintiff_zhang,
        params={"what": "缴费"},
        idempotency_key="fees.deadline:3",
        channels=[Channel.SMS],
    )
    assert len(soon) == 1  # the one-day reminder's time has passed: not sent late

    assert actions.reminders_cancel("evidence.deadline:7") == 4
    assert set(
        Notification.objects.filter(idempotency_key__startswith="evidence.deadline:7").values_list(
            "status", flat=True
        )
    ) == {Status.CANCELLED}
    later = deadline + dt.timedelta(seconds=1)
    assert actions.notifications_deliver_batch(now=later).claimed == 1  # only the fee one


def test_delivery_facts_for_the_service_app(plaintiff_zhang, run_tasks):
    rows = actions.notify(
        recipient=plaintiff_zhang,
        event="service.served",
        params={"case_number": "(2026)浙0203民初1号", "document_title": "传票", "url": "/s/1"},
        idempotency_key="served:9",
        channels=[Channel.INAPP, Channel.SMS],
    )
    run_tasks()
    actions.notification_mark_read(user=plaintiff_zhang, notification_id=rows[0].pk)
    facts = selectors.delivery_facts([r.pk for r in rows] + [999999])
    assert set(facts) == {r.pk for r in rows}
    inapp, sms = facts[rows[0].pk], facts[rows[1].pk]
    assert inapp["channel"] == "inapp" and inapp["read_at"] is not None and inapp["address"] == ""
    assert sms["status"] == "sent" and sms["sent_at"] is not None
    assert sms["address"] == "138****2222" and sms["delivered_at"] is None
    assert sms["provider_ref"].startswith("local-") and sms["last_error"] == ""
    assert set(sms) >= {"channel", "status", "sent_at", "delivered_at", "read_at", "provider_ref"}


def test_the_local_phone_page_is_for_operators_and_court_staff_and_masks_numbers(
    client, plaintiff_zhang, clerk_zhao, settings
):
    actions.notify(
        address="+8613700001111",
        event="identity.sms_code",
        params={"code": "482913", "minutes": 5},
        idempotency_key="c:1",
        channels=[Channel.SMS],
    )
    actions.notifications_deliver_batch()
    assert client.get("/notifications/outbox/").status_code == 404
    client.force_login(plaintiff_zhang)
    assert client.get("/notifications/outbox/").status_code == 404
    # Admin access alone (``is_staff``) is not being court staff or a platform operator.
    client.force_login(UserFactory(username="admin_only", is_staff=True))
    assert client.get("/notifications/outbox/").status_code == 404
    operator = UserFactory(username="ops_wu", is_staff=True, is_superuser=True)
    enrol_totp(operator)  # operators use a second factor, like court staff
    TOTP.activate(clerk_zhao, generate_totp_secret())  # court staff keep a second factor
    for person in (clerk_zhao, operator):
        client.force_login(person)
        page = client.get("/notifications/outbox/").content.decode()
        assert "137****1111" in page and "13700001111" not in page
        assert "482913" not in page  # message text only in development and demo
    # The public demo runs with DEBUG and shows message text: still nobody else's page, or
    # any visitor would read every log-in code and take over the demo accounts.
    settings.DEBUG = settings.DEMO_MODE = True
    page = client.get("/notifications/outbox/").content.decode()
    assert "482913" in page and "137****1111" in page  # staff, in the demo
    client.logout()
    assert client.get("/notifications/outbox/").status_code == 404
    client.force_login(plaintiff_zhang)
    assert client.get("/notifications/outbox/").status_code == 404
