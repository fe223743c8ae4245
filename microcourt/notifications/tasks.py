import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic

from . import actions


@task()
def deliver(notification_id: int) -> str:
    row = actions.notification_deliver(notification_id=notification_id)
    return "skipped" if row is None else row.status


@periodic(every=dt.timedelta(seconds=30))
@task()
def retry_due() -> int:
    """Re-enqueue due retries and anything a dead worker left half-sent."""
    ids = actions.notifications_due()
    for notification_id in ids:
        deliver.enqueue(notification_id)
    return len(ids)
