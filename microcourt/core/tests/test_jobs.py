"""Background work that cannot be lost (issue 14): a failing task is retried with a growing
backoff, a task that fails every attempt lands in the operators' dead-letter list with its
error and an alert, a dead worker's task is taken over, and /healthz says when the queue
stalls. The documents these guarantees protect are in filing/tests/test_background_work.py."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from microcourt.core import jobs
from microcourt.core.models import DeadLetter, WorkerHeartbeat
from microcourt.identity.tests.factories import UserFactory
from microcourt.identity.tests.test_admin_court_scope import with_second_factor
from microcourt.notifications.models import Notification

pytestmark = pytest.mark.django_db

RUNS: list[str] = []


@task()
def archive_court_calendar(year: int) -> str:
    """A task whose storage is broken for good."""
    RUNS.append(f"archive {year}")
    raise ValueError(f"no storage configured for the {year} archive")


@task()
def count_run(label: str) -> str:
    RUNS.append(label)
    return label


@pytest.fixture
def root(db):
    """A platform operator (with the second factor every operator must have)."""
    return with_second_factor(
        UserFactory(username="root", display_name="运维", is_staff=True, is_superuser=True)
    )


@pytest.fixture(autouse=True)
def _runs():
    RUNS.clear()


def backoff_passes():
    """The clock past every retry's backoff (the worker waits; the test does not)."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def live_worker(worker_id="w-live", current_task=""):
    now = timezone.now()
    return WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": "h",
            "pid": 1,
            "started_at": now,
            "last_seen": now,
            "current_task": current_task,
        },
    )[0]


def test_a_failing_task_runs_again_later_each_time_later(run_tasks, settings):
    settings.TASK_MAX_ATTEMPTS = 4
    archive_court_calendar.enqueue(2026)
    waits = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        run_tasks()
        row = DBTaskResult.objects.get()
        assert row.status == "READY" and len(row.worker_ids) == attempt
        assert row.exception_class_path == "builtins.ValueError"  # the last error is kept
        waits.append((row.run_after - before).total_seconds())
        run_tasks()  # not due yet: nothing runs
        assert len(RUNS) == attempt
        backoff_passes()
    base = settings.TASK_RETRY_BASE_SECONDS
    assert base <= waits[0] < 1.3 * base
    assert 2 * base <= waits[1] < 2.6 * base
    assert 4 * base <= waits[2] < 5.2 * base


def test_a_task_that_always_fails_is_a_dead_letter_and_the_operators_are_alerted(
    run_tasks, root, client, caplog, settings, django_capture_on_commit_callbacks
):
    live_worker()
    result = archive_court_calendar.enqueue(2026)
    with caplog.at_level(logging.ERROR, logger="microcourt.jobs"):
        for _ in range(settings.TASK_MAX_ATTEMPTS + 2):
            run_tasks()
            backoff_passes()
    assert len(RUNS) == settings.TASK_MAX_ATTEMPTS == 6  # bounded
    assert DBTaskResult.objects.get().status == "FAILED"
    letter = DeadLetter.objects.get(task_id=result.id)
    assert letter.attempts == 6 and letter.resolved_at is None
    assert letter.error == "ValueError: no storage configured for the 2026 archive"
    assert "archive_court_calendar" in letter.task_path and letter.args_kwargs["args"] == [2026]
    assert any(
        r.levelno == logging.ERROR and "dead letter" in r.getMessage() for r in caplog.records
    )
    # The operator is told in the platform and by e-mail, with the error.
    inapp = Notification.objects.get(recipient=root, event="core.task_failed", channel="inapp")
    assert "archive_court_calendar" in inapp.body and "no storage configured" in inapp.body
    assert Notification.objects.filter(recipient=root, event="core.task_failed", channel="email")

    # /healthz: degraded while the dead letter is open.
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["down"] == ["queue"]
    assert response.json()["components"]["queue"]["dead_letters"] == 1

    # The operator finds it in the admin with its error, and runs it again from there.
    client.force_login(root)
    listing = client.get("/admin/core/deadletter/?open=yes")
    assert "no storage configured" in listing.content.decode()
    detail = client.get(f"/admin/core/deadletter/{letter.pk}/change/")
    assert "Traceback" in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/core/deadletter/",
            {"action": "requeue", "_selected_action": [letter.pk]},
        )
    letter.refresh_from_db()
    assert letter.resolved_at and letter.resolution == "requeued by root"
    row = DBTaskResult.objects.get()
    assert row.status == "READY" and row.worker_ids == []  # fresh attempts
    assert client.get("/healthz").status_code == 200


def test_alerts_of_one_kind_of_task_are_sent_once_an_hour(run_tasks, root, settings):
    settings.TASK_MAX_ATTEMPTS = 1
    for year in (2024, 2025, 2026):
        archive_court_calendar.enqueue(year)
    run_tasks()
    assert DeadLetter.objects.count() == 3
    assert Notification.objects.filter(recipient=root, channel="inapp").count() == 1


def test_a_running_task_of_a_dead_worker_is_taken_over(run_tasks, settings):
    result = count_run.enqueue("certificate")
    long_ago = timezone.now() - dt.timedelta(seconds=settings.TASK_LEASE_SECONDS + 30)
    WorkerHeartbeat.objects.create(
        worker_id="w-dead",
        host="h",
        pid=2,
        started_at=long_ago,
        last_seen=long_ago,
        current_task=str(result.id),
    )
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=long_ago, worker_ids=["w-dead"]
    )
    assert jobs.reclaim_expired() == [str(result.id)]
    run_tasks()
    row = DBTaskResult.objects.get()
    assert row.status == "SUCCESSFUL" and RUNS == ["certificate"]
    assert row.worker_ids[0] == "w-dead" and len(row.worker_ids) == 2


def test_a_long_task_of_a_live_worker_is_left_alone_but_a_forgotten_one_is_not(settings):
    long_ago = timezone.now() - dt.timedelta(seconds=settings.TASK_LEASE_SECONDS + 30)
    held, forgotten = count_run.enqueue("held"), count_run.enqueue("forgotten")
    live_worker("w-busy", current_task=str(held.id))
    DBTaskResult.objects.update(status="RUNNING", started_at=long_ago, worker_ids=["w-busy"])
    # Still running ``held`` (its heartbeat says so); ``forgotten`` lost its outcome.
    assert jobs.reclaim_expired() == [str(forgotten.id)]
    assert DBTaskResult.objects.get(pk=held.id).status == "RUNNING"


def test_a_result_of_a_worker_that_was_taken_over_is_dropped(run_tasks):
    result = count_run.enqueue("late")
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("w-slow")
    # Taken back and claimed by another worker meanwhile.
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() + dt.timedelta(seconds=1), worker_ids=["w-slow", "w-new"]
    )
    assert jobs.run(row) == "lost"
    assert DBTaskResult.objects.get(pk=row.pk).status == "RUNNING"  # the new run's to finish


def test_a_task_that_kills_its_worker_each_time_ends_as_a_dead_letter(settings):
    settings.TASK_MAX_ATTEMPTS = 2
    result = count_run.enqueue("oom")
    long_ago = timezone.now() - dt.timedelta(seconds=settings.TASK_LEASE_SECONDS + 30)
    DBTaskResult.objects.update(status="RUNNING", started_at=long_ago, worker_ids=["a", "b"])
    jobs.reclaim_expired()
    assert DeadLetter.objects.get(task_id=result.id).error.startswith("WorkerLost")


def test_health_is_degraded_when_the_oldest_due_task_waits_too_long(client, settings):
    live_worker()
    count_run.enqueue("waiting")
    assert client.get("/healthz").status_code == 200
    DBTaskResult.objects.update(
        enqueued_at=timezone.now() - dt.timedelta(seconds=settings.TASK_QUEUE_STALL_SECONDS + 5)
    )
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["down"] == ["queue"]
    queue = response.json()["components"]["queue"]
    assert queue["queues"]["default"]["ready"] == 1
    assert "waited" in queue["error"]


def test_health_is_degraded_without_a_live_worker(client):
    count_run.enqueue("nobody takes it")
    response = client.get("/healthz")
    assert response.status_code == 503 and "worker" in response.json()["down"]
