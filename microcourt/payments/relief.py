"""Judicial aid on court fees: deferral (缓交), reduction (减交) and exemption (免交)
(《诉讼费用交纳办法》第四十四条至第四十七条).

- A reduction is at least 30% (第四十六条) and less than the whole fee (that is exemption).
- Exemption is for natural persons only (第四十五条): an application made for an
  organisation (its legal representative applying on its order) is refused.
- Staff decide. An approved reduction or exemption lowers what a pending order asks for
  (exemption closes it); an approved deferral moves its due date.
- While an application is pending, the order's "not paid by the due date" consequence
  (民诉解释第二百一十三条: treated as withdrawn) must not be applied:
  :func:`order_has_pending_relief`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.core.money import ZERO, display, fen
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from . import accounts
from .events import LedgerEvent
from .models import OrderStatus, PaymentOrder, ReliefApplication, ReliefKind, ReliefStatus
from .states import ORDER, STAFF

MIN_REDUCTION_PERCENT = 30  # 第四十六条
OPEN_ORDER = (OrderStatus.PENDING, OrderStatus.FAILED)


def order_has_pending_relief(order: PaymentOrder) -> bool:
    """True while a relief application on the order awaits a decision: the order's
    due-date consequence waits for it."""
    return ReliefApplication.objects.filter(order=order, status=ReliefStatus.PENDING).exists()


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
    (第四十四条至第四十七条)."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if applicant is None or applicant.pk != order.payer_id:
        raise NotFound(_("没有找到该缴费单"))
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
        actor=Actor.citizen(applicant),
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
    """Court staff decide an application (第四十四条至第四十七条; a party may ask the court
    president for review, 第四十三条)."""
    if actor.role not in STAFF:
        raise Forbidden(_("只有法院工作人员可以决定缓减免申请"))
    application = ReliefApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ReliefStatus.PENDING:
        raise Conflict(_("该申请已经作出决定"), code="already_decided")
    order = PaymentOrder.objects.select_for_update().get(pk=application.order_id)
    if approve and order.status not in OPEN_ORDER:
        raise Conflict(_("该缴费单已缴费或已关闭，不能批准缓减免"), code="order_not_open")
    if (
        approve
        and application.kind == ReliefKind.DEFERRAL
        and (new_due_date is None or new_due_date <= order.due_date)
    ):
        raise InvalidInput(
            _("请填写缓交后的缴费期限"),
            fields={"new_due_date": _("应晚于原缴费期限 %(due)s") % {"due": order.due_date}},
        )
    now = timezone.now()
    data: dict = {"order": order.number, "application": application.pk, "approve": approve}
    if approve:
        if application.kind == ReliefKind.DEFERRAL:
            PaymentOrder.objects.filter(pk=order.pk, status__in=OPEN_ORDER).update(
                due_date=new_due_date, updated_at=now
            )
            order.due_date = new_due_date
            application.new_due_date = new_due_date
            data["new_due_date"] = new_due_date.isoformat()
        else:
            new_amount = _approved_amount(application)
            relieved = fen(order.amount - new_amount)
            application.approved_amount = new_amount
            data.update(amount=str(order.amount), approved_amount=str(new_amount))
            if relieved > 0:
                accounts.movement_record(
                    kind="relief",
                    amount=relieved,
                    order=order,
                    note=f"{application.get_kind_display()} {application.pk}",
                )
            if new_amount == ZERO:
                ORDER.apply(order, "close", actor=actor, note=f"exempt {application.pk}")
            else:
                # Conditional on the order still being open: a payment settled meanwhile wins.
                matched = PaymentOrder.objects.filter(pk=order.pk, status__in=OPEN_ORDER).update(
                    amount=new_amount, updated_at=now
                )
                if matched != 1:
                    raise Conflict(_("该缴费单已被他人处理，请刷新后查看。"), code="order_moved")
                order.amount = new_amount
    application.status = ReliefStatus.APPROVED if approve else ReliefStatus.REJECTED
    application.decided_by = actor.user
    application.decided_at = now
    application.decision_reason = (reason or "").strip()
    application.save(
        update_fields=[
            "status",
            "approved_amount",
            "new_due_date",
            "decided_by",
            "decided_at",
            "decision_reason",
            "updated_at",
        ]
    )
    ledger.record(code=LedgerEvent.RELIEF_DECIDED, actor=actor, case_id=order.case_id, data=data)
    if approve and application.kind == ReliefKind.DEFERRAL:
        body = _("您的缓交申请已获批准，缴费期限延至 %(due)s。") % {"due": order.due_date}
    elif approve:
        body = _("您的%(kind)s申请已获批准，应缴金额为 %(amount)s。") % {
            "kind": application.get_kind_display(),
            "amount": display(application.approved_amount),
        }
    else:
        body = _("您的%(kind)s申请未获批准。可以向院长申请复核。") % {
            "kind": application.get_kind_display()
        }
    notifications.notify(
        recipient=application.applicant,
        event="payments.relief_decided",
        title=str(_("缓减免申请结果")),
        body=str(body),
        url=reverse("pay:order", args=[order.number]),
        idempotency_key=f"payments.relief_decided:{application.pk}",
    )
    return application


def _approved_amount(application: ReliefApplication) -> Decimal:
    if application.kind == ReliefKind.EXEMPTION:
        return ZERO
    keep = Decimal(100 - int(application.percent)) / Decimal(100)
    return fen(application.original_amount * keep)
