"""Reminders the day before and 30 minutes before, to every seat holder: once per seat per
reminder even when the job runs twice (or again after a failure), again for a new time after
rescheduling, never for a cancelled session."""

from __future__ import annotations

import datetime as dt

import pytest

from microcourt.core import periodic
from microcourt.hearings.actions import scheduling
from microcourt.notifications.models import Notification

from .test_scheduling import consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(case, judge):
    consent(case, "张三", "王五")
    return scheduling.session_schedule(
        case=case, actor=judge, kind="hearing", starts_at=scheduling.first_allowed_start(case)
    )


def _reminders(kind: str | None = None):
    rows = Notification.objects.filter(event="hearings.reminder")
    if kind:
        rows = rows.filter(idempotency_key__contains=f":{kind}:")
    return rows


def test_the_day_before_every_seat_holder_is_reminded_once(
    session, judge_chen, clerk_zhao, plaintiff_zhang, defendant_wang
):
    day_before = session.starts_at - dt.timedelta(hours=23)
    assert scheduling.reminders_send(now=session.starts_at - dt.timedelta(hours=25)) == 0
    assert scheduling.reminders_send(now=day_before) == 4
    assert scheduling.reminders_send(now=day_before) == 0  # the job ran twice
    assert scheduling.reminders_send(now=day_before + dt.timedelta(minutes=1)) == 0
    inapp = _reminders("day").filter(channel="inapp")
    assert sorted(inapp.values_list("recipient_id", flat=True)) == sorted(
        [judge_chen.pk, clerk_zhao.pk, plaintiff_zhang.pk, defendant_wang.pk]
    )
    assert _reminders("day").filter(channel="sms").count() == 4
    body = inapp.get(recipient=plaintiff_zhang).body
    assert "在线参加" in body and session.case.number in body


def test_thirty_minutes_before_a_second_reminder_goes_out_once(session, plaintiff_zhang):
    scheduling.reminders_send(now=session.starts_at - dt.timedelta(hours=20))
    soon = session.starts_at - dt.timedelta(minutes=29)
    assert scheduling.reminders_send(now=soon) == 4
    assert scheduling.reminders_send(now=soon) == 0
    assert _reminders("soon").filter(channel="inapp").count() == 4
    row = _reminders("soon").get(channel="inapp", recipient=plaintiff_zhang)
    assert row.url == f"/hearings/{session.pk}/enter/"
    # Past the start nothing more is sent.
    assert scheduling.reminders_send(now=session.starts_at + dt.timedelta(minutes=1)) == 0


def test_a_rescheduled_session_is_reminded_again_for_its_new_time(session, case, judge):
    scheduling.reminders_send(now=session.starts_at - dt.timedelta(hours=20))
    later = scheduling.first_allowed_start(case, days=7)
    scheduling.session_reschedule(session=session, actor=judge, starts_at=later, reason="改期")
    assert scheduling.reminders_send(now=later - dt.timedelta(hours=20)) == 4
    assert _reminders("day").filter(channel="inapp").count() == 8


def test_a_cancelled_session_is_not_reminded(session, judge):
    scheduling.session_cancel(session=session, actor=judge, reason="撤诉")
    assert scheduling.reminders_send(now=session.starts_at - dt.timedelta(minutes=20)) == 0
    assert not _reminders().exists()


def test_the_sweep_is_a_periodic_job_of_the_worker(session, run_tasks):
    jobs = periodic.jobs()
    assert "microcourt.hearings.tasks.reminders.send_reminders" in jobs
    assert jobs["microcourt.hearings.tasks.reminders.send_reminders"].every == dt.timedelta(
        seconds=60
    )
