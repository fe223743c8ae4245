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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.core.money import display, parse_amount
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from .. import policies, selectors
from ..events import LedgerEvent
from ..models import OrderStatus, PaymentOrder, Refund, RefundReason, RefundStatus
from ..providers.base import ProviderError, RefundResult, UnknownProvider, get_provider
from ..states import REFUND
from . import duplicates
from .accounts import movement_record

log = logging.getLogger(__name__)

BASIS = {
    RefundReason.CLAIM_REDUCED: "《诉讼费用交纳办法》第二十一条",
    RefundReason.DISMISSED: "《诉讼费用交纳办法》第二十七条",
    RefundReason.HALVED: "《诉讼费用交纳办法》第十五条",
}
# A refund still processing (or never sent: a lost enqueue) after this long is sent again.
REQUERY_AFTER = dt.timedelta(minutes=2)
DECIDED = (RefundStatus.SUCCEEDED, RefundStatus.FAILED)


@transaction.atomic
def refund_request(
    *, order: PaymentOrder, amount: Decimal | str, reason: str, basis: str = "", actor: Actor
) -> Refund:
    """Court staff order a refund of a paid fee (第十五、二十一、二十七条): more than zero
    and at most what is left unrefunded. Who may: ``policies.require_request_refund``."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    actor = policies.require_request_refund(actor, order)
    if reason not in dict(selectors.REFUND_REASONS):  # a duplicate's refund is the system's
        raise InvalidInput(_("请选择退费原因"), fields={"reason": _("未知的退费原因")})
    basis = (basis or BASIS.get(RefundReason(reason), "")).strip()
    if not basis:
        raise InvalidInput(_("请填写退费依据"), fields={"basis": _("请填写退费依据")})
    value = parse_amount(amount, field="amount", allow_zero=False)
    if order.status != OrderStatus.PAID:
        raise Conflict(_("该缴费单尚未缴费，不能退费"), code="not_paid")
    left = selectors.refundable(order)
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
        params={"what": order.get_kind_display(), "amount": display(value), "basis": refund.basis},
        url=reverse("pay:order", args=[order.number]),
        idempotency_key=f"payments.refund_requested:{refund.refund_no}",
    )
    on_commit(_send_later, refund.pk)
    return refund


def _send_later(refund_id: int) -> None:
    from ..tasks import refund_send as task

    task.enqueue(refund_id)


def _system(refund: Refund) -> Actor:
    return Actor.system(f"{refund.order.provider} refund")


def refund_send(*, refund_id: int) -> str:
    """Send one refund to the order's provider and record what it answered. Idempotent:
    a decided refund is not sent again; an undecided one is sent with the same number."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("order__payment", "duplicate")
            .get(pk=refund_id)
        )
        if refund.status in DECIDED:
            return refund.status
        if refund.status == RefundStatus.PENDING:
            REFUND.apply(refund, "send", actor=_system(refund))
    order = refund.order
    # A duplicate payment goes back through the provider that took it, as a refund of that
    # trade alone (each provider has one trade per order number).
    provider, total = order.provider, order.payment.amount
    if refund.duplicate is not None:
        provider, total = refund.duplicate.provider, refund.duplicate.amount
    try:
        result = get_provider(provider).refund(order.number, refund.refund_no, refund.amount, total)
    except UnknownProvider as exc:  # no longer configured: nobody here can send it
        result = RefundResult(
            refund_no=refund.refund_no,
            status="failed",
            amount=refund.amount,
            raw={"error": str(exc)},
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
    if refund.status in DECIDED:
        return refund.status
    if result.status == "processing":
        # Not a state change: the stamp says when it was last asked about.
        Refund.objects.filter(pk=refund.pk).update(updated_at=timezone.now())
        return RefundStatus.PROCESSING
    order = refund.order
    now = timezone.now()
    if result.status == "succeeded":
        REFUND.apply(
            refund,
            "succeed",
            actor=_system(refund),
            note=result.status,
            updates={"provider_refund_no": result.provider_refund_no[:64], "finished_at": now},
        )
        movement_record(kind="refund", amount=refund.amount, order=order, note=refund.refund_no)
        if refund.duplicate_id is not None:
            duplicates.duplicate_refund_decided(refund=refund, succeeded=True)
        notifications.notify(
            recipient=order.payer,
            event="payments.refund_succeeded",
            params={"amount": display(refund.amount)},
            url=reverse("pay:order", args=[order.number]),
            idempotency_key=f"payments.refund_succeeded:{refund.refund_no}",
        )
    else:  # failed, or abnormal: stuck at the provider, handled there by staff
        failure = f"{result.status}: {result.raw.get('error', '')}"[:200]
        REFUND.apply(
            refund,
            "fail",
            actor=_system(refund),
            note=result.status,
            updates={"failure": failure, "finished_at": now},
        )
        if refund.duplicate_id is not None:  # queued for the court's finance staff
            duplicates.duplicate_refund_decided(refund=refund, succeeded=False, reason=failure)
        notifications.notify(
            recipient=order.payer,
            event="payments.refund_failed",
            params={"amount": display(refund.amount)},
            url=reverse("pay:order", args=[order.number]),
            idempotency_key=f"payments.refund_failed:{refund.refund_no}",
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
