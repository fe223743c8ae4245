"""庭审笔录 in the background: every few minutes, the records being read and signed take in
what was signed at /sign/<id>/ (and complete once everyone signed or refused), so a record
is filed even if nobody opens its page again. Idempotent."""

import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic


@periodic(every=dt.timedelta(minutes=5))
@task()
def sync_signatures() -> int:
    from ..actions import transcript_record

    return transcript_record.transcript_signatures_sync_all()


@periodic(every=dt.timedelta(minutes=30))
@task()
def remind_readers() -> int:
    """The day before the 5-day reading period ends, and on its last day."""
    from ..actions import transcript_record

    return transcript_record.transcript_reminders_send()
