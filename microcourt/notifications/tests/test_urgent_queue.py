"""Log-in codes and strong reminders go out from their own queue, so a heavy job on the
general worker (a 90 s document preview) never holds them up (issue 14)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from microcourt.core import periodic
from microcourt.notifications import actions
from microcourt.notifications.models import Notification

pytestmark = pytest.mark.django_db

DELIVER = "microcourt.notifications.tasks.deliver"


def queued_on(key_prefix: str) -> str:
    row = Notification.objects.get(idempotency_key__startswith=key_prefix)
    (task,) = [
        t
        for t in DBTaskResult.objects.filter(task_path=DELIVER)
        if t.args_kwargs["args"] == [row.pk]
    ]
    return task.queue_name


def test_a_log_in_code_goes_on_the_urgent_queue_and_a_case_notice_does_not(
    plaintiff_zhang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(
            address="+8613811112222",
            channels=["sms"],
            event="identity.sms_code",
            params={"code": "482913", "minutes": 5},
            idempotency_key="code-1",
        )
        actions.notify(
            recipient=plaintiff_zhang,
            channels=["sms"],
            event="demo.welcome",
            idempotency_key="welcome-1",
        )
    assert queued_on("code-1") == "urgent"
    assert queued_on("welcome-1") == "default"


def test_the_urgent_worker_sends_the_code_and_leaves_heavy_work_to_the_other(
    plaintiff_zhang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(
            address="+8613811112222",
            channels=["sms"],
            event="identity.sms_code",
            params={"code": "482913", "minutes": 5},
            idempotency_key="code-2",
        )
        actions.notify(
            recipient=plaintiff_zhang, channels=["sms"], event="demo.welcome", idempotency_key="w-2"
        )
    from unittest import mock

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", batch=True, queue_name="urgent")
    code = Notification.objects.get(idempotency_key="code-2:sms")
    assert code.status == "sent"
    assert Notification.objects.get(idempotency_key="w-2:sms").status == "pending"


def test_the_strong_reminder_sweep_runs_on_the_urgent_queue():
    periodic.enqueue_due(timezone.now())
    sweep = DBTaskResult.objects.get(task_path="microcourt.spaces.tasks.escalate_reminders")
    assert sweep.queue_name == "urgent"
    ledger = DBTaskResult.objects.get(task_path="microcourt.ledger.tasks.ledger_sweep")
    assert ledger.queue_name == "default"
