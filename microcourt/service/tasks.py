import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic

from . import actions


@task()
def settle(service_id: int) -> str:
    return actions.service_settle(service_id=service_id).status


@periodic(every=dt.timedelta(seconds=30))
@task()
def settle_due() -> int:
    """Receipts, read marks and public notices' thirty days arrive on their own time."""
    return actions.services_settle_due()


@task()
def issue_certificate(service_id: int) -> str:
    return actions.certificate_issue(service_id=service_id).certificate_sha256
