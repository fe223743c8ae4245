import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic


@task()
def make_preview(exhibit_id: int) -> str:
    """Make one exhibit's preview after its submission commits (idempotent)."""
    from . import actions

    return actions.preview_make(exhibit_id=exhibit_id).preview_status


@periodic(every=dt.timedelta(minutes=10))
@task()
def remind_cross_examinations() -> list[int]:
    """Remind parties once, 24 hours before a cross-examination period ends."""
    from . import actions

    return actions.reminders_send()
