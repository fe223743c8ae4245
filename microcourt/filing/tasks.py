import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic


@periodic(every=dt.timedelta(minutes=10))
@task()
def deem_unpaid_withdrawn() -> list[int]:
    """Cases whose acceptance fee is overdue without a relief application are deemed
    withdrawn (《诉讼费用交纳办法》第二十二条; 民诉解释第二百一十三条)."""
    from . import actions

    return actions.cases_deem_withdrawn()


@periodic(every=dt.timedelta(minutes=10))
@task()
def expire_invitations() -> list[int]:
    """Parties who did not link to their case within 3 days stay offline (在线诉讼规则第十条)."""
    from . import actions

    return actions.invitations_expire()


@task()
def issue_document(decision_id: int, kind: str) -> int:
    """Render and store one document of a filing decision (idempotent)."""
    from . import actions
    from .models import FilingDecision

    return actions.document_issue(FilingDecision.objects.get(pk=decision_id), kind).pk
