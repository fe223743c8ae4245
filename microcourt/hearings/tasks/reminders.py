"""What reaches a session's participants before it: the 传票 / 出庭通知书 (served after the
scheduling commits; retried by the worker until done — serving is idempotent per seat and
round) and the reminders the day before and 30 minutes before (a sweep each minute;
idempotent per seat, reminder and start time)."""

import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic

from ..actions import scheduling


@task()
def serve_notices(session_id: int, user_id: int | None = None) -> int:
    return scheduling.session_notices_serve(session_id=session_id, user_id=user_id)


@periodic(every=dt.timedelta(seconds=60))
@task()
def send_reminders() -> int:
    return scheduling.reminders_send()


@periodic(every=dt.timedelta(seconds=60))
@task()
def expire_live_views() -> int:
    """Viewers of a public hearing gone quiet lose their token (the cap frees their place)."""
    from ..actions import live_views

    return live_views.live_views_expire()
