"""Refunds of court fees (《诉讼费用交纳办法》第十五条 mediation or withdrawal halves the
fee; 第二十一条 a reduced claim; 第二十七条 a claim rejected or dismissed).

Court staff request a refund of a paid order; it is sent to the order's provider after
commit by a task. The provider keys a refund on our ``refund_no``, so sending the same
refund again (a retried task, the periodic re-query of one still processing) refunds once;
and a refund already decided here is never sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.core.money import ZERO, display, fen, parse_amount
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from . import accounts
from .events import LedgerEvent
from .models import OrderStatus, PaymentOrder, Refund, RefundReason, RefundStatus
from .providers.base import ProviderError, RefundResult, get_provider
from .states import STAFF

log = logging.getLogger(__name__)

BASIS = {
    RefundReason.CLAIM_REDUCED: "《诉讼费用交纳办法》第二十一条",
    RefundReason.DISMISSED: "《诉讼费用交纳办法》第二十七条",
    RefundReason.HALVED: "《诉讼费用交纳办法》第十五条",
}
# A refund still processing (or never sent: a lost enqueue) after this long is sent again.
REQUERY_AFTER = dt.timedelta(minutes=2)


def refundable(order: PaymentOrder) -> Decimal:
    """What is left to refund: the payment less every refund not failed."""
    refunded = order.refunds.exclude(status=RefundStatus.FAILED).aggregate(total=Sum("amount"))
    return fen(order.payment.amount - (refunded["total"] or ZERO))


@transaction.atomic
def refund_request(
    *, order: PaymentOrder, amount: Decimal | str, reason: str, basis: str = "", actor: Actor
) -> Refund:
    """Court staff order a refund of a paid fee (第十五、二十一、二十七条): more than zero
    and at most what is left unrefunded."""
    if actor.role not in STAFF:
        raise Forbidden(_("只有法院工作人员可以办理退费"))
    if reason not in RefundReason.values:
        raise InvalidInput(_("请选择退费原因"), fields={"reason": _("未知的退费原因")})
    basis = (basis or BASIS.get(RefundReason(reason), "")).strip()
    if not basis:
        raise InvalidInput(_("请填写退费依据"), fields={"basis": _("请填写退费依据")})
    value = parse_amount(amount, field="amount", allow_zero=False)
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PAID:
        raise Conflict(_("该缴费单尚未缴费，不能退费"), code="not_paid")
    left = refundable(order)
    if value > left:
        raise InvalidInput(
            _("退费金额超过可退金额"),
            fields={"amount": _("最多可退 %(left)s") % {"left": display(left)}},
        )
    refund = Refund.objects.create(
        order=order,
        refund_no=f"RF{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}",
        amount=value,
        reason=reason,
        basis=basis[:200],
        requested_by=actor.user,
    )
    ledger.record(
        code=LedgerEvent.REFUND_REQUESTED,
        actor=actor,
        case_id=order.case_id,
        data={
            "order": order.number,
            "refund": refund.refund_no,
            "amount": str(value),
            "reason": reason,
            "basis": refund.basis,
        },
    )
    notifications.notify(
        recipient=order.payer,
        event="payments.refund_requested",
        title=str(_("法院已为您办理退费")),
        body=str(
            _("%(what)s 将退还 %(amount)s（%(basis)s），款项将原路退回。")
            % {"what": order.get_kind_display(), "amount": display(value), "basis": refund.basis}
        ),
        url=reverse("pay:order", args=[order.number]),
        idempotency_key=f"payments.refund_requested:{refund.refund_no}",
    )
    on_commit(_send_later, refund.pk)
    return refund


def _send_later(refund_id: int) -> None:
    from .tasks import refund_send as task

    task.enqueue(refund_id)


def refund_send(*, refund_id: int) -> str:
    """Send one refund to the order's provider and record what it answered. Idempotent:
    a decided refund is not sent again; an undecided one is sent with the same number."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("order__payment")
            .get(pk=refund_id)
        )
        if refund.status in (RefundStatus.SUCCEEDED, RefundStatus.FAILED):
            return refund.status
        if refund.status == RefundStatus.PENDING:
            Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
                status=RefundStatus.PROCESSING, updated_at=timezone.now()
            )
    order = refund.order
    try:
        result = get_provider(order.provider).refund(
            order.number, refund.refund_no, refund.amount, order.payment.amount
        )
    except ProviderError as exc:
        if exc.retryable:  # stays processing: the periodic re-query sends it again
            log.warning("refund %s: %s; will retry", refund.refund_no, exc)
            return RefundStatus.PROCESSING
        result = RefundResult(
            refund_no=refund.refund_no,
            status="failed",
            amount=refund.amount,
            raw={"error": str(exc)},
        )
    return _refund_apply(refund_id=refund.pk, result=result)


@transaction.atomic
def _refund_apply(*, refund_id: int, result: RefundResult) -> str:
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("order__payer")
        .get(pk=refund_id)
    )
    if refund.status in (RefundStatus.SUCCEEDED, RefundStatus.FAILED):
        return refund.status
    if result.status == "processing":
        Refund.objects.filter(pk=refund.pk).update(updated_at=timezone.now())
        return RefundStatus.PROCESSING
    order = refund.order
    system = Actor.system(f"{order.provider} refund")
    now = timezone.now()
    if result.status == "succeeded":
        refund.status = RefundStatus.SUCCEEDED
        refund.provider_refund_no = result.provider_refund_no[:64]
        refund.finished_at = now
        refund.save(update_fields=["status", "provider_refund_no", "finished_at", "updated_at"])
        accounts.movement_record(
            kind="refund", amount=refund.amount, order=order, note=refund.refund_no
        )
        code, title = LedgerEvent.REFUND_SUCCEEDED, _("退费成功")
        body = _("%(amount)s 已退回您的付款账户。") % {"amount": display(refund.amount)}
    else:  # failed, or abnormal: stuck at the provider, handled there by staff
        refund.status = RefundStatus.FAILED
        refund.failure = f"{result.status}: {result.raw.get('error', '')}"[:200]
        refund.finished_at = now
        refund.save(update_fields=["status", "failure", "finished_at", "updated_at"])
        code, title = LedgerEvent.REFUND_FAILED, _("退费未成功")
        body = _("%(amount)s 退费未成功，法院工作人员将与您联系。") % {
            "amount": display(refund.amount)
        }
    ledger.record(
        code=code,
        actor=system,
        case_id=order.case_id,
        data={
            "order": order.number,
            "refund": refund.refund_no,
            "amount": str(refund.amount),
            "provider_refund_no": refund.provider_refund_no,
            "status": result.status,
        },
    )
    notifications.notify(
        recipient=order.payer,
        event=f"payments.refund_{refund.status}",
        title=str(title),
        body=str(body),
        url=reverse("pay:order", args=[order.number]),
        idempotency_key=f"payments.refund_{refund.status}:{refund.refund_no}",
    )
    return refund.status


def refunds_requery(*, older_than: dt.timedelta = REQUERY_AFTER) -> list[str]:
    """Send again every refund not decided after ``older_than`` (same refund number, so the
    provider answers with the refund it already has). Returns the refund numbers decided."""
    cutoff = timezone.now() - older_than
    decided = []
    stale = Refund.objects.filter(
        status__in=[RefundStatus.PENDING, RefundStatus.PROCESSING], updated_at__lte=cutoff
    ).values_list("pk", "refund_no")
    for pk, number in list(stale):
        if refund_send(refund_id=pk) != RefundStatus.PROCESSING:
            decided.append(number)
    return decided
