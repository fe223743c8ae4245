"""The court's decisions short of acceptance: forwarding (跨域立案), the one-time correction
notice, the ruling not to accept, and transfer to the competent court (民诉法第一百二十六条;
登记立案规定第七条、第八条; 在线诉讼规则第九条). Each is the deciding court's officers' alone
(``policies.require_decide``), recorded in the ledger in the role they decided in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.calendar import SHANGHAI
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.courts import selectors as court_selectors

from .. import policies, rules
from ..models import DecisionKind, Filing, FilingDecision
from ..states import FILING
from . import documents
from ._common import _locked, notify_applicant
from .submission import start_clock

MAX_ITEMS = 30
# 登记立案规定第七条 leaves the correction period to the court; 15 days is the common default.
DEFAULT_CORRECTION_DAYS = 15
MAX_CORRECTION_DAYS = 60


def decided_by(filing: Filing, actor: Actor, decision: str) -> tuple[Filing, Actor]:
    """The filing locked for the decision, and the officer acting at the deciding court."""
    locked = _locked(filing)
    return locked, policies.require_decide(actor, locked, decision)


def _reasons(text: Any, *, required: bool, field: str = "reasons") -> str:
    value = str(text or "").strip()
    if required and not value:
        raise InvalidInput(_("请写明理由"), fields={field: _("请写明理由")})
    if len(value) > 5000:
        raise InvalidInput(_("理由过长"), fields={field: _("不能超过5000字")})
    return value


@transaction.atomic
def filing_forward(*, filing: Filing, actor: Actor, note: str = "") -> Filing:
    """跨域立案: the receiving court has checked the applicant's identity and materials and
    hands the filing to the competent court, whose clock starts now."""
    filing, actor = decided_by(filing, actor, "forward")
    now = timezone.now()
    FILING.apply(
        filing, "forward", actor=actor, note=note[:500], updates=start_clock(filing, at=now)
    )
    FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.FORWARDED,
        actor=actor.user,
        court=filing.receiving_court,
        target_court=filing.court,
        reasons=_reasons(note, required=False),
    )
    notify_applicant(
        filing,
        event="forwarded",
        key="forwarded",
        r=filing.receiving_court.name,
        c=filing.court.name,
        due=timezone.localtime(filing.review_due_at, SHANGHAI).date().isoformat(),
    )
    return filing


@transaction.atomic
def filing_request_correction(
    *, filing: Filing, actor: Actor, items: list[str], deadline: dt.date | None = None
) -> Filing:
    """The one-time correction notice: every item at once, with a deadline
    (登记立案规定第七条; 在线诉讼规则第九条). A second notice is refused."""
    filing, actor = decided_by(filing, actor, "request_correction")
    cleaned = [str(i).strip() for i in (items or []) if str(i).strip()]
    if not cleaned:
        raise InvalidInput(_("请列明需要补正的事项"), fields={"items": _("至少一项")})
    if len(cleaned) > MAX_ITEMS or any(len(i) > 500 for i in cleaned):
        raise InvalidInput(_("补正事项过多或过长"), fields={"items": _("最多30项，每项500字以内")})
    if filing.decisions.filter(kind=DecisionKind.CORRECTION).exists():
        raise Conflict(
            _("补正通知应当一次性告知，本案已发出过补正通知，不能再次要求补正。"),
            code="correction_already_requested",
        )
    today = timezone.localdate()
    if deadline is None:
        calendar = court_selectors.court_calendar(filing.court)
        deadline = calendar.next_working_day(today + dt.timedelta(days=DEFAULT_CORRECTION_DAYS))
    if deadline <= today or deadline > today + dt.timedelta(days=MAX_CORRECTION_DAYS):
        raise InvalidInput(
            _("补正期限不正确"),
            fields={"deadline": _("补正期限应在今天之后的60日以内")},
        )
    FILING.apply(
        filing,
        "request_correction",
        actor=actor,
        note="；".join(cleaned)[:500],
        updates={"correction_due": deadline, "review_due_at": None},
    )
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.CORRECTION,
        actor=actor.user,
        court=filing.court,
        items=cleaned,
        deadline=deadline,
    )
    documents.issue_later(decision, "correction")
    notify_applicant(
        filing, event="correction", key=str(decision.pk), k=len(cleaned), d=deadline.isoformat()
    )
    return filing


@transaction.atomic
def filing_reject(*, filing: Filing, actor: Actor, reasons: str) -> Filing:
    """不予受理: a written ruling with reasons, appealable within 10 days
    (民诉法第一百二十六条、第一百七十一条)."""
    filing, actor = decided_by(filing, actor, "reject")
    text = _reasons(reasons, required=True)
    FILING.apply(
        filing, "reject", actor=actor, note=text[:500], updates={"decided_at": timezone.now()}
    )
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.REJECTED,
        actor=actor.user,
        court=filing.court,
        reasons=text,
    )
    documents.issue_later(decision, "ruling")
    notify_applicant(filing, event="rejected", key="rejected", c=filing.court.name)
    return filing


@transaction.atomic
def filing_transfer(
    *, filing: Filing, actor: Actor, target_court_code: str, reasons: str
) -> Filing:
    """移送: the filing goes to the competent court's queue and its clock starts there anew.
    The officer's authority is checked against the court that has the filing now."""
    filing, actor = decided_by(filing, actor, "transfer")
    text = _reasons(reasons, required=True)
    try:
        target = court_selectors.court(str(target_court_code or "").strip())
    except NotFound:
        raise InvalidInput(
            _("没有找到该法院"), fields={"target_court": _("请选择有管辖权的法院")}
        ) from None
    if target.pk == filing.court_id:
        raise InvalidInput(_("不能移送本院"), fields={"target_court": _("请选择其他法院")})
    source = filing.court
    clock = rules.start_clock(filing.kind, timezone.now(), court_selectors.court_calendar(target))
    FILING.apply(
        filing, "transfer", actor=actor, note=text[:500], updates={"court": target, **clock}
    )
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.TRANSFERRED,
        actor=actor.user,
        court=source,
        target_court=target,
        reasons=text,
    )
    documents.issue_later(decision, "transfer")
    notify_applicant(
        filing, event="transferred", key=str(decision.pk), s=source.name, t=target.name
    )
    return filing
