"""Periodic tasks on the Tasks API, without another server.

Apps declare ``@periodic(every=…)`` on a task in their ``tasks.py``. Every worker runs
``enqueue_due`` on its heartbeat; a conditional update on ``PeriodicJob.next_run`` claims
each run, so with N workers a job is still enqueued once per period. A job runs on its task's
queue, or on the one ``settings.TASK_ROUTES`` names for it (the strong-reminder sweep goes on
the "urgent" queue, whose worker no heavy job holds up).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django_tasks.base import Task


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    task: Task[[], Any]


_JOBS: dict[str, Job] = {}


def periodic(*, every: dt.timedelta) -> Callable[[Task[[], Any]], Task[[], Any]]:
    def register(task: Task[[], Any]) -> Task[[], Any]:
        name = f"{task.module_path}"
        _JOBS[name] = Job(name=name, every=every, task=task)
        return task

    return register


def jobs() -> dict[str, Job]:
    autodiscover_modules("tasks")
    return dict(_JOBS)


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose period has come round; returns the names enqueued."""
    from .models import PeriodicJob

    now = now or timezone.now()
    enqueued = []
    for job in jobs().values():
        row = PeriodicJob.objects.filter(name=job.name).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = PeriodicJob.objects.create(name=job.name, next_run=now)
            except IntegrityError:
                row = PeriodicJob.objects.get(name=job.name)
        if row.next_run is not None and row.next_run > now:
            continue
        claimed = PeriodicJob.objects.filter(pk=row.pk, next_run=row.next_run).update(
            last_run=now, next_run=now + job.every
        )
        if claimed:
            queue = getattr(settings, "TASK_ROUTES", {}).get(job.name)
            (job.task.using(queue_name=queue) if queue else job.task).enqueue()
            enqueued.append(job.name)
    return enqueued
