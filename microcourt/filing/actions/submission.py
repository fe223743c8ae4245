"""Submission and withdrawal by the applicant (登记立案规定第二条: every complaint is received
with a dated receipt; 在线诉讼规则第九条). Submission freezes a snapshot of what was submitted,
records its digest in the ledger and starts the court's clock."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.calendar import SHANGHAI
from microcourt.core.errors import InvalidInput
from microcourt.courts import selectors as court_selectors

from .. import rules, selectors
from ..models import DecisionKind, Filing, FilingDecision, FilingStatus
from ..states import FILING
from . import documents
from ._common import EDITABLE, _editable, _mine, notify_applicant

S = FilingStatus


def start_clock(filing: Filing, *, at) -> dict[str, Any]:
    """The field values that (re)start the court's review clock at ``at``."""
    return rules.start_clock(filing.kind, at, court_selectors.court_calendar(filing.court))


@transaction.atomic
def filing_submit(*, filing: Filing, actor: Actor) -> Filing:
    """Submit to the court (or, for 跨域立案, to the receiving court's centre): every problem
    is listed at once; the content is frozen in a snapshot whose digest is recorded; the
    court's clock starts; the applicant gets a dated receipt (收件凭证, 登记立案规定第二条)."""
    filing, actor = _mine(filing, actor)
    resubmission = filing.status == S.CORRECTION_REQUESTED
    if filing.status not in EDITABLE:
        _editable(filing)
    found = selectors.problems(filing)
    if found:
        raise InvalidInput(_("立案申请还不完整，请补充标出的项目。"), fields=found)
    now = timezone.now()
    content = selectors.snapshot(filing)
    digest = rules.content_digest(content)
    forwarded = filing.decisions.filter(kind=DecisionKind.FORWARDED).exists()
    cross_region = filing.receiving_court_id is not None and not forwarded
    updates: dict[str, Any] = {"content_digest": digest, "submitted_at": now, "step": "review"}
    if not cross_region:
        updates.update(start_clock(filing, at=now))
    filing.content_digest = digest
    name = ("resubmit" if resubmission else "submit") + ("_cross_region" if cross_region else "")
    FILING.apply(filing, name, actor=actor, updates=updates)
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.CORRECTED if resubmission else DecisionKind.SUBMITTED,
        actor=actor.user,
        court=filing.receiving_court if cross_region else filing.court,
        snapshot={**content, "digest": digest},
    )
    documents.issue_later(decision, "receipt")
    if cross_region:
        notify_applicant(
            filing,
            event="received_cross_region",
            key=str(decision.pk),
            r=filing.receiving_court.name,
            c=filing.court.name,
        )
    else:
        notify_applicant(
            filing,
            event="corrected" if resubmission else "submitted",
            key=str(decision.pk),
            c=filing.court.name,
            due=timezone.localtime(filing.review_due_at, SHANGHAI).date().isoformat(),
        )
    return filing


@transaction.atomic
def filing_withdraw(*, filing: Filing, actor: Actor, reason: str = "") -> Filing:
    """The applicant withdraws a draft or a pending filing (before the court decides)."""
    filing, actor = _mine(filing, actor)
    reason = str(reason or "").strip()
    FILING.apply(filing, "withdraw", actor=actor, note=reason[:500])
    FilingDecision.objects.create(
        filing=filing, kind=DecisionKind.WITHDRAWN, actor=actor.user, reasons=reason[:2000]
    )
    return filing
