import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic

from . import actions


@periodic(every=dt.timedelta(seconds=60))
@task()
def escalate_reminders() -> int:
    """强提醒 not acknowledged in time go out by SMS (idempotent: safe to run twice)."""
    return actions.reminders_escalate()
