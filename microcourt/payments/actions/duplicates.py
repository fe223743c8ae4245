"""A second successful trade for an order already paid (重复缴费): the payer paid twice —
through two channels, on two phones, by pressing pay again after a slow page.

The fee is owed once (《诉讼费用交纳办法》第二十条); the second payment is not owed and goes
back (《民法典》第九百八十五条). So it is never just acknowledged and logged:

- it is recorded (``DuplicatePayment``, one per provider trade) with a ledger entry and a
  line in the case's account, in the transaction that holds the order's lock;
- a refund of exactly that trade is started through the provider that took it (the refund
  machine in ``refunds``: ``Refund.duplicate``), and the court's finance staff are alerted;
- when that provider refuses the refund (or is no longer configured), the payment is queued
  for finance staff to return by hand (``manual``) and they are alerted again; a provider
  that cannot be reached is asked again with the same refund number by the periodic
  re-query (so the money is never returned twice, by hand and by the provider);
- the same notification delivered again (providers resend until answered, reconciliation
  finds the trade too) finds its row and changes nothing: one refund per trade.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import InvalidInput
from microcourt.core.money import display, fen
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from .. import policies, selectors
from ..events import DUPLICATE_MANUAL, DUPLICATE_RECEIVED, LedgerEvent
from ..models import DuplicatePayment, PaymentOrder, Refund, RefundReason
from ..states import DUPLICATE
from .accounts import movement_record

BASIS = "《中华人民共和国民法典》第九百八十五条（重复缴费）"


def _alert_url(order: PaymentOrder) -> str:
    if order.case_id is not None:
        return reverse("case_account", args=[order.case_id])
    return reverse("admin:payments_duplicatepayment_changelist")


def _alert(duplicate: DuplicatePayment, *, event: str, key: str, **extra: str) -> None:
    order = duplicate.order
    params = {
        "order": order.number,
        "amount": display(duplicate.amount),
        "provider": duplicate.provider,
        "trade": duplicate.provider_trade_no,
        **extra,
    }
    for person in selectors.finance_staff(order):
        notifications.notify(
            recipient=person,
            event=event,
            params=params,
            url=_alert_url(order),
            idempotency_key=f"{event}:{duplicate.pk}:{key}:{person.pk}",
        )


def duplicate_receive(*, order: PaymentOrder, provider: str, event, source: str) -> str:
    """Record a second successful trade of ``order`` (locked by the caller) and start its
    refund. Returns the callback log's outcome. Called inside the settling transaction."""
    system = Actor.system(f"{provider} {source}")
    amount = fen(event.amount)
    if amount <= 0:
        raise InvalidInput(_("支付金额不正确"), fields={"amount": str(event.amount)})
    try:
        with transaction.atomic():
            duplicate = DuplicatePayment.objects.create(
                order=order,
                provider=provider,
                provider_trade_no=event.provider_trade_no,
                amount=amount,
                paid_at=event.paid_at or timezone.now(),
                source=source,
            )
    except IntegrityError:  # the same trade again: already recorded and being refunded
        found = DuplicatePayment.objects.get(
            provider=provider, provider_trade_no=event.provider_trade_no
        )
        return f"duplicate second payment {provider}:{found.provider_trade_no} ({found.status})"
    movement_record(
        kind="overpayment",
        amount=amount,
        order=order,
        note=f"重复缴费 {provider} {event.provider_trade_no}",
    )
    ledger.record(
        code=LedgerEvent.DUPLICATE_RECEIVED,
        actor=system,
        case_id=order.case_id,
        data={
            "order": order.number,
            "provider": provider,
            "trade": event.provider_trade_no,
            "amount": str(amount),
            "first_trade": f"{order.payment.provider}:{order.payment.provider_trade_no}",
        },
    )
    refund = Refund.objects.create(
        order=order,
        duplicate=duplicate,
        refund_no=f"RD{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}",
        amount=amount,
        reason=RefundReason.DUPLICATE,
        basis=BASIS,
    )
    ledger.record(
        code=LedgerEvent.REFUND_REQUESTED,
        actor=system,
        case_id=order.case_id,
        data={
            "order": order.number,
            "refund": refund.refund_no,
            "amount": str(amount),
            "reason": RefundReason.DUPLICATE,
            "basis": BASIS,
            "trade": f"{provider}:{event.provider_trade_no}",
        },
    )
    _alert(duplicate, event=DUPLICATE_RECEIVED, key="received")
    notifications.notify(
        recipient=order.payer,
        event="payments.refund_requested",
        params={"what": order.get_kind_display(), "amount": display(amount), "basis": BASIS},
        url=reverse("pay:order", args=[order.number]),
        idempotency_key=f"payments.refund_requested:{refund.refund_no}",
    )
    on_commit(_send_later, refund.pk)
    return f"second payment {provider}:{event.provider_trade_no}: refund {refund.refund_no}"


def _send_later(refund_id: int) -> None:
    from ..tasks import refund_send as task

    task.enqueue(refund_id)


def duplicate_refund_decided(*, refund: Refund, succeeded: bool, reason: str = "") -> None:
    """The provider decided a duplicate payment's refund (called by ``refunds`` in its
    transaction): returned, or queued for finance staff with an alert."""
    duplicate = DuplicatePayment.objects.select_for_update().get(pk=refund.duplicate_id)
    system = Actor.system(f"{duplicate.provider} refund")
    if succeeded:
        DUPLICATE.apply(duplicate, "refunded", actor=system, note=refund.refund_no)
        return
    DUPLICATE.apply(
        duplicate,
        "handover",
        actor=system,
        note=reason[:200],
        updates={"note": reason[:200]},
    )
    _alert(duplicate, event=DUPLICATE_MANUAL, key="manual", reason=reason[:100] or "—")


@transaction.atomic
def duplicate_settle(*, duplicate: DuplicatePayment, actor: Actor, note: str) -> DuplicatePayment:
    """Finance staff record a duplicate payment they returned by hand (at the provider's
    merchant console or by bank transfer): the note says how, for the record. Who may:
    the refunding roles on its order (``policies.duplicate_roles``)."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            _("请说明如何退还（如渠道退款单号或转账流水号）"), fields={"note": _("必填")}
        )
    duplicate = DuplicatePayment.objects.select_for_update().get(pk=duplicate.pk)
    policies.require_see_order(actor, duplicate.order)
    DUPLICATE.apply(duplicate, "settle", actor=actor, note=note[:200], updates={"note": note[:200]})
    movement_record(
        kind="refund", amount=duplicate.amount, order=duplicate.order, note=f"人工退还 {note}"[:200]
    )
    return duplicate
