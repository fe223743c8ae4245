"""Provider callbacks and reconciliation: money a provider took settles its order exactly
once (《诉讼费用交纳办法》第二十条; issue: money must never be lost or counted twice).

- A callback is stored as it arrived before anything else happens (``CallbackLog``).
- Its signature is checked by the provider adapter; a forged one changes nothing but is
  recorded in the ledger.
- Settling locks the order row; a ``Payment`` is unique per order and per provider trade,
  so a duplicated, replayed or late callback pays once.
- A second successful trade for an order already paid (two channels, two phones) is not
  owed: it is recorded, alerted to the court's finance staff and refunded through the
  provider that took it (``duplicates.duplicate_receive``); once per provider trade.
- Reconciliation asks the provider about every order that was sent to it but is not paid
  here, which repairs a crash between the provider's success and our commit.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import InvalidInput, NotFound
from microcourt.core.money import display, fen
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from ..events import LedgerEvent
from ..models import CallbackLog, OrderStatus, Payment, PaymentOrder
from ..providers.base import CallbackRejected, ProviderError, get_provider
from ..states import ORDER
from . import duplicates
from .accounts import movement_record

log = logging.getLogger(__name__)

# Orders sent to a provider but unpaid here after this long are asked about.
RECONCILE_AFTER = dt.timedelta(minutes=2)


def callback_receive(*, provider: str, headers: dict, body: bytes) -> tuple[int, str, bytes]:
    """Handle one provider callback; returns what the provider expects back."""
    adapter = get_provider(provider)
    with transaction.atomic():
        received = CallbackLog.objects.create(
            provider=provider,
            body=body.decode("utf-8", errors="replace"),
            headers={
                k: v
                for k, v in headers.items()
                if k.lower().startswith(("wechatpay", "x-sandbox", "content-type", "user-agent"))
            },
        )
    try:
        event = adapter.parse_callback(headers, body)
    except CallbackRejected as exc:
        with transaction.atomic():
            CallbackLog.objects.filter(pk=received.pk).update(outcome=f"rejected: {exc}"[:200])
            ledger.record(
                code=LedgerEvent.CALLBACK_REJECTED,
                actor=Actor.system(f"{provider} callback"),
                data={"callback_log": received.pk, "reason": str(exc)[:200]},
            )
        return adapter.callback_response(False)
    try:
        outcome = _settle(provider=provider, event=event, source="callback")
    except (InvalidInput, NotFound) as exc:
        CallbackLog.objects.filter(pk=received.pk).update(
            verified=True,
            order_number=event.out_trade_no[:32],
            outcome=f"refused: {exc.message}"[:200],
        )
        return adapter.callback_response(False)
    CallbackLog.objects.filter(pk=received.pk).update(
        verified=True, order_number=event.out_trade_no[:32], outcome=outcome[:200]
    )
    return adapter.callback_response(True)


@transaction.atomic
def _settle(*, provider: str, event, source: str) -> str:
    """Apply a verified provider event to its order, exactly once."""
    order = PaymentOrder.objects.select_for_update().filter(number=event.out_trade_no).first()
    if order is None:
        raise NotFound(_("没有找到该缴费单"))
    system = Actor.system(f"{provider} {source}")
    if event.status != "paid":
        if order.status == OrderStatus.PENDING and event.status == "failed":
            ORDER.apply(order, "fail", actor=system, note=f"{provider} {event.provider_trade_no}")
            return "failed"
        return f"ignored {event.status} (order {order.status})"
    existing = Payment.objects.filter(order=order).first()
    if existing is not None:
        if (existing.provider, existing.provider_trade_no) == (provider, event.provider_trade_no):
            return "duplicate"
        # Paid twice through two trades: the first settles the order, the second goes back.
        return duplicates.duplicate_receive(
            order=order, provider=provider, event=event, source=source
        )
    if fen(event.amount) != order.amount:
        raise InvalidInput(_("支付金额与缴费单不符"), fields={"amount": str(event.amount)})
    Payment.objects.create(
        order=order,
        provider=provider,
        provider_trade_no=event.provider_trade_no,
        amount=fen(event.amount),
        paid_at=event.paid_at,
        source=source,
    )
    movement_record(kind="payment", amount=event.amount, order=order, note=provider)
    ORDER.apply(
        order,
        "pay",
        actor=system,
        note=f"{provider} {event.provider_trade_no} {event.amount}",
        updates={"paid_at": event.paid_at, "provider": provider},
    )
    if source == "reconcile":
        ledger.record(
            code=LedgerEvent.RECONCILED,
            actor=system,
            case_id=order.case_id,
            data={"order": order.number, "trade": event.provider_trade_no},
        )
    notifications.notify(
        recipient=order.payer,
        event="payments.paid",
        params={"what": order.get_kind_display(), "amount": display(order.amount)},
        url=reverse("pay:order", args=[order.number]),
        idempotency_key=f"payments.paid:{order.number}",
    )
    notifications.reminders_cancel(f"payments.due:{order.number}:")
    on_commit(_store_receipt_later, order.pk)
    return "paid"


def _store_receipt_later(order_id: int) -> None:
    from ..tasks import store_receipt

    store_receipt.enqueue(order_id)


def reconcile(*, older_than: dt.timedelta = RECONCILE_AFTER) -> list[str]:
    """Ask the providers about orders they were sent that are unpaid here; settle the paid.
    Returns the order numbers repaired."""
    cutoff = timezone.now() - older_than
    repaired = []
    pending = PaymentOrder.objects.exclude(provider="").filter(
        status__in=[OrderStatus.PENDING, OrderStatus.FAILED], updated_at__lte=cutoff
    )
    for order in pending.iterator():
        try:
            result = get_provider(order.provider).query(order.number)
        except ProviderError as exc:  # the provider is down: ask again on the next run
            log.warning("reconcile: %s query for %s failed: %s", order.provider, order.number, exc)
            continue
        if result.status != "paid":
            continue
        if _settle(provider=order.provider, event=result, source="reconcile") == "paid":
            repaired.append(order.number)
    return repaired
