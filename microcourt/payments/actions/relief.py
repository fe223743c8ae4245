"""Judicial aid on court fees: deferral (缓交), reduction (减交) and exemption (免交)
(《诉讼费用交纳办法》第四十四条至第五十一条).

- A reduction is at least 30% (第四十六条) and less than the whole fee (that is exemption).
- Exemption is for natural persons only (第四十五条): an application made for an
  organisation (its legal representative applying on its order) is refused.
- The court decides: the filing officer or division head of the order's court, or the judge
  on the order's case panel (``policies``: 第四十九条、第五十一条); a decision gives its
  reasons (第四十八条: a refusal is explained in writing). An approved reduction or exemption
  lowers what a pending order asks for (exemption closes it); an approved deferral moves its
  due date.
- While an application is pending, the order's "not paid by the due date" consequence
  (民诉解释第二百一十三条: treated as withdrawn) must not be applied:
  ``selectors.order_has_pending_relief``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.core.money import ZERO, display, fen
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from .. import policies
from ..events import LedgerEvent
from ..models import OrderStatus, PaymentOrder, ReliefApplication, ReliefKind, ReliefStatus
from ..states import ORDER, RELIEF
from .accounts import movement_record

MIN_REDUCTION_PERCENT = 30  # 第四十六条
OPEN_ORDER = (OrderStatus.PENDING, OrderStatus.FAILED)


@transaction.atomic
def relief_apply(
    *,
    applicant,
    order: PaymentOrder,
    kind: str,
    reason: str,
    percent: int | None = None,
    for_organisation: bool = False,
) -> ReliefApplication:
    """The payer applies for deferral, reduction or exemption of an unpaid fee
    (第四十四条至第四十八条). The applicant acts on its own account (ADR 0001 §1): the
    ledger records it as a citizen, whatever court role it may hold elsewhere."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    actor = Actor.citizen(applicant)
    policies.require_pay(actor, order)
    if order.status not in OPEN_ORDER:
        raise Conflict(_("该缴费单已缴费或已关闭，不能申请缓减免"), code="order_not_open")
    if kind not in ReliefKind.values:
        raise InvalidInput(_("请选择救助方式"), fields={"kind": _("未知的救助方式")})
    if kind == ReliefKind.EXEMPTION and for_organisation:
        raise InvalidInput(
            _("免交诉讼费仅适用于自然人"),
            fields={"kind": _("单位不能申请免交，可以申请缓交或减交")},
        )
    if kind == ReliefKind.REDUCTION:
        if isinstance(percent, bool) or not isinstance(percent, int):
            raise InvalidInput(_("请填写减交比例"), fields={"percent": _("请填写整数百分比")})
        if not MIN_REDUCTION_PERCENT <= percent < 100:
            raise InvalidInput(
                _("减交比例不得低于30%"),
                fields={"percent": _("减交比例应不低于30%且低于100%")},
            )
    else:
        percent = None
    if not (reason or "").strip():
        raise InvalidInput(_("请填写申请理由"), fields={"reason": _("请填写申请理由")})
    try:
        with transaction.atomic():
            application = ReliefApplication.objects.create(
                order=order,
                applicant=applicant,
                kind=kind,
                percent=percent,
                for_organisation=for_organisation,
                reason=reason.strip(),
                original_amount=order.amount,
                original_due_date=order.due_date,
            )
    except IntegrityError:
        raise Conflict(_("该缴费单已有待审查的缓减免申请"), code="relief_pending") from None
    ledger.record(
        code=LedgerEvent.RELIEF_APPLIED,
        actor=actor,
        case_id=order.case_id,
        data={
            "order": order.number,
            "application": application.pk,
            "kind": kind,
            "percent": percent,
            "for_organisation": for_organisation,
        },
    )
    return application


@transaction.atomic
def relief_decide(
    *,
    application: ReliefApplication,
    actor: Actor,
    approve: bool,
    reason: str,
    new_due_date: dt.date | None = None,
) -> ReliefApplication:
    """The court decides an application (第四十四条至第五十一条; who: ``policies``
    .require_decide_relief). A party may ask the court president for review (第四十三条)."""
    application = (
        ReliefApplication.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(pk=application.pk)
    )
    actor = policies.require_decide_relief(actor, application)
    if application.status != ReliefStatus.PENDING:
        raise Conflict(_("该申请已经作出决定"), code="already_decided")
    reason = (reason or "").strip()
    if not reason:
        # 第四十八条: a refusal is explained in writing; an approval says why it is granted.
        raise InvalidInput(_("请填写决定理由"), fields={"reason": _("请填写决定理由")})
    order = PaymentOrder.objects.select_for_update().get(pk=application.order_id)
    if approve and order.status not in OPEN_ORDER:
        raise Conflict(_("该缴费单已缴费或已关闭，不能批准缓减免"), code="order_not_open")
    deferral = application.kind == ReliefKind.DEFERRAL
    if approve and deferral and (new_due_date is None or new_due_date <= order.due_date):
        raise InvalidInput(
            _("请填写缓交后的缴费期限"),
            fields={"new_due_date": _("应晚于原缴费期限 %(due)s") % {"due": order.due_date}},
        )
    now = timezone.now()
    decision = {"decided_by": actor.user, "decided_at": now, "decision_reason": reason}
    if not approve:
        RELIEF.apply(application, "reject", actor=actor, note=reason[:500], updates=decision)
        _notify(application, order, event="payments.relief_rejected")
        return application
    if deferral:
        decision["new_due_date"] = new_due_date
    else:
        decision["approved_amount"] = _approved_amount(application)
    # The decision first: of two deciders only one gets past this line.
    RELIEF.apply(application, "approve", actor=actor, note=reason[:500], updates=decision)
    if deferral:
        # The due date is not a state; conditional on the order still being open.
        _order_update(order, due_date=new_due_date, updated_at=now)
        _notify(application, order, event="payments.relief_deferred")
        return application
    new_amount = application.approved_amount
    relieved = fen(order.amount - new_amount)
    if relieved > 0:
        movement_record(
            kind="relief",
            amount=relieved,
            order=order,
            note=f"{application.get_kind_display()} {application.pk}",
        )
    if new_amount == ZERO:
        ORDER.apply(order, "close", actor=actor, note=f"exempt {application.pk}")
    else:
        _order_update(order, amount=new_amount, updated_at=now)
    _notify(application, order, event="payments.relief_approved")
    return application


def _order_update(order: PaymentOrder, **values) -> None:
    """Change what an open order asks for; a payment settled meanwhile wins (nothing
    changes: the whole decision is rolled back)."""
    matched = PaymentOrder.objects.filter(pk=order.pk, status__in=OPEN_ORDER).update(**values)
    if matched != 1:
        raise Conflict(_("该缴费单已被他人处理，请刷新后查看。"), code="order_moved")
    for key, value in values.items():
        setattr(order, key, value)


def _notify(application: ReliefApplication, order: PaymentOrder, *, event: str) -> None:
    params = {"kind": application.get_kind_display(), "reason": application.decision_reason}
    if application.new_due_date is not None:
        params["due"] = application.new_due_date.isoformat()
    if application.approved_amount is not None:
        params["amount"] = display(application.approved_amount)
    notifications.notify(
        recipient=application.applicant,
        event=event,
        params=params,
        url=reverse("pay:order", args=[order.number]),
        idempotency_key=f"payments.relief_decided:{application.pk}",
    )


def _approved_amount(application: ReliefApplication) -> Decimal:
    if application.kind == ReliefKind.EXEMPTION:
        return ZERO
    keep = Decimal(100 - int(application.percent)) / Decimal(100)
    return fen(application.original_amount * keep)
