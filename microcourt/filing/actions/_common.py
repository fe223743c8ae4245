"""What the filing's actions share: the limits, locking a filing for a change, and telling
the applicant (the text of every message is in ``notifications.templates``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, NotFound
from microcourt.notifications import actions as notifications
from microcourt.notifications.models import Channel

from .. import policies
from ..models import Filing, FilingStatus

S = FilingStatus
EDITABLE = (S.DRAFT, S.CORRECTION_REQUESTED)
STEPS = ("capacity", "court", "kind", "parties", "claims", "materials", "consent", "review")
MAX_PARTIES = 50
MAX_CLAIMS = 30
MAX_MATERIALS = 100
MAX_FACTS = 20000
# The stages a party states consent for when filing (在线诉讼规则第四条); filing itself is
# consented by filing online.
CONSENT_STAGES = ("mediation", "evidence_exchange", "hearing", "service")


def _locked(filing: Filing) -> Filing:
    found = (
        Filing.objects.select_for_update(of=("self",))
        .select_related("court", "receiving_court", "cause", "case")
        .filter(pk=filing.pk)
        .first()
    )
    if found is None:
        raise NotFound(policies.NOT_FOUND)
    return found


def _mine(filing: Filing, actor: Actor) -> tuple[Filing, Actor]:
    """The applicant's own filing, locked for the change, and the applicant acting on their
    own account (``policies.require_edit``)."""
    locked = _locked(filing)
    return locked, policies.require_edit(actor, locked)


def _editable(filing: Filing) -> None:
    if filing.status not in EDITABLE:
        raise Conflict(
            _("立案申请已提交，当前状态为“%(state)s”，不能修改。")
            % {"state": filing.get_status_display()},
            code="not_editable",
        )


def _touch(filing: Filing) -> None:
    Filing.objects.filter(pk=filing.pk).update(version=F("version") + 1, updated_at=timezone.now())
    filing.refresh_from_db(fields=["version", "updated_at"])


def _text(value: Any, *, max_length: int) -> str:
    return str(value if value is not None else "").strip()[: max_length + 1]


def notify_applicant(filing: Filing, *, event: str, key: str, **params: Any) -> None:
    """Tell the applicant in the app and by SMS: the event's template (zh and en) is rendered
    with ``params`` in their language; ``n`` (the filing's number) is always among them."""
    notifications.notify(
        recipient=filing.applicant,
        event=f"filing.{event}",
        url=reverse("filing:detail", args=[filing.number]),
        params={"n": filing.number, **params},
        idempotency_key=f"filing.{event}:{filing.number}:{key}",
        channels=[Channel.INAPP, Channel.SMS],
    )
