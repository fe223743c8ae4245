"""The court's notices of an accepted filing are issued even when the worker meets a locked
database or dies mid-task (issue 14: two 受理案件通知书 and a 收件凭证 were never issued):
the task runs again after a backoff, or is taken over from the dead worker, and each notice
is issued exactly once."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from microcourt.core.models import DeadLetter, WorkerHeartbeat
from microcourt.filing import actions, review
from microcourt.filing.models import FilingMaterial

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(submitted, officer_li, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review.filing_accept(filing=submitted, actor=officer_li, note="符合起诉条件")
    submitted.refresh_from_db()
    return submitted


def issued(filing) -> list[str]:
    return sorted(
        FilingMaterial.objects.filter(filing=filing, generated=True).values_list(
            "document_kind", flat=True
        )
    )


def notice_tasks():
    return DBTaskResult.objects.filter(task_path="microcourt.filing.tasks.issue_document")


def test_a_locked_database_on_the_first_attempt_delays_the_acceptance_notice_only(
    accepted, run_tasks
):
    real = actions.document_issue
    locked_once: list[str] = []

    def issue(decision, kind, **kwargs):
        if kind == "acceptance" and not locked_once:
            locked_once.append(kind)
            raise OperationalError("database is locked")
        return real(decision, kind, **kwargs)

    with mock.patch.object(actions, "document_issue", side_effect=issue):
        run_tasks()
        assert "acceptance" not in issued(accepted)  # not yet: waiting for its retry
        retry = notice_tasks().get(status="READY")
        assert retry.exception_class_path == "django.db.utils.OperationalError"
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
        run_tasks()
    assert issued(accepted) == ["acceptance", "evidence", "receipt"]  # each exactly once
    assert not DeadLetter.objects.exists()
    assert set(notice_tasks().values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_the_notice_task_of_a_worker_killed_mid_render_is_taken_over(accepted, run_tasks, settings):
    """A worker claimed the acceptance notice and was killed: its heartbeat stopped. Within
    the lease the task is still its own; after the lease another worker takes it over and
    issues the notice, once."""
    task = notice_tasks().filter(args_kwargs__args__1="acceptance").get()
    killed_at = timezone.now() - dt.timedelta(seconds=5)
    beat = WorkerHeartbeat.objects.create(
        worker_id="w-killed",
        host="h",
        pid=9,
        started_at=killed_at,
        last_seen=killed_at,
        current_task=str(task.pk),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=killed_at, worker_ids=["w-killed"]
    )
    run_tasks()
    assert issued(accepted) == ["evidence", "receipt"]  # the acceptance notice is still held

    # The lease runs out.
    long_ago = killed_at - dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(last_seen=long_ago)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=long_ago)
    run_tasks()  # a worker starting takes back what dead workers left running
    assert issued(accepted) == ["acceptance", "evidence", "receipt"]
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.worker_ids[0] == "w-killed"
    assert len(task.worker_ids) == 2
