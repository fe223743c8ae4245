import dataclasses
import datetime as dt
import time

from django.conf import settings
from django_tasks import TaskResult, task
from django_tasks.base import Task

from microcourt.core.jobs import URGENT
from microcourt.core.periodic import periodic

from . import actions
from .models import Notification

# Messages a person waits for on an open page (log-in, sign-up and reset codes and links) and
# the strong reminders' SMS: delivered from the "urgent" queue, whose worker no heavy job (a
# preview, a dossier) holds up. Everything else keeps the default queue.
URGENT_EVENTS = frozenset(
    {
        "identity.sms_code",
        "identity.sms_unknown_account",
        "identity.sms_account_exists",
        "identity.login_code",
        "identity.password_reset_code",
        "identity.password_reset_key",
        "identity.email_confirmation",
        "identity.email_confirmation_signup",
        "identity.email_confirmation_code",
        "identity.unknown_account",
        "identity.account_already_exists",
        "spaces.reminder",
        "spaces.reminder.sms",
    }
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class _ByEvent(Task):
    """``deliver``: queued on the urgent queue when its row's event is urgent. The caller
    (``notify``, after commit) passes only the row's id; one primary-key read finds the event."""

    def enqueue(self, *args, **kwargs) -> TaskResult:
        chosen: Task = self
        if self.queue_name != URGENT:
            notification_id = args[0] if args else kwargs["notification_id"]
            event = (
                Notification.objects.filter(pk=notification_id)
                .values_list("event", flat=True)
                .first()
            )
            if event in URGENT_EVENTS:
                chosen = self.using(queue_name=URGENT)
        return Task.enqueue(chosen, *args, **kwargs)


def _routed(func):
    return _ByEvent(func=func)


@_routed
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
