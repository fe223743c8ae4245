import datetime as dt
import time

from django.conf import settings
from django_tasks import task

from microcourt.core.periodic import periodic

from . import actions


@task()
def deliver(notification_id: int) -> str:
    """One row, right after the commit that queued it: the low-latency path."""
    row = actions.notification_deliver(notification_id=notification_id)
    return "skipped" if row is None else row.status


@task()
def deliver_batch(limit: int = 0) -> int:
    """One batch of due rows. A full batch means more are waiting: it queues its successor,
    so each chain keeps one worker busy until the backlog is gone."""
    size = limit or settings.NOTIFICATIONS_BATCH_SIZE
    result = actions.notifications_deliver_batch(limit=size)
    if result.claimed >= size:
        deliver_batch.enqueue(limit)
    return result.claimed


@periodic(every=dt.timedelta(seconds=30))
@task()
def retry_due() -> int:
    """The sweep: due retries, scheduled reminders whose time has come, rows whose enqueue
    was lost, and claims a dead worker left (looked up at the gateway before sending).
    Runs batches for up to NOTIFICATIONS_SWEEP_SECONDS; the next period continues."""
    stop = time.monotonic() + settings.NOTIFICATIONS_SWEEP_SECONDS
    total = 0
    while time.monotonic() < stop:
        result = actions.notifications_deliver_batch()
        total += result.claimed
        if result.claimed < settings.NOTIFICATIONS_BATCH_SIZE:
            break
    return total
