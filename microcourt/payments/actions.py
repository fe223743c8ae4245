"""Orders, checkout, provider callbacks and reconciliation (《诉讼费用交纳办法》第二十、
二十二条; issue: money must never be lost or counted twice).

- A callback is stored as it arrived before anything else happens (``CallbackLog``).
- Its signature is checked by the provider adapter; a forged one changes nothing but is
  recorded in the ledger.
- Settling locks the order row; a ``Payment`` is unique per order and per provider trade,
  so a duplicated, replayed or late callback pays once.
- Reconciliation asks the provider about every order that was sent to it but is not paid
  here, which repairs a crash between the provider's success and our commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.calendar import SHANGHAI, DeadlineRule, Period, Unit
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.core.money import display, fen, in_words
from microcourt.core.selectors import national_calendar
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications.models import Channel

from . import accounts
from .events import LedgerEvent
from .models import CallbackLog, FeeKind, OrderStatus, Payment, PaymentOrder
from .providers.base import CallbackRejected, OrderRequest, ProviderError, get_provider
from .states import ORDER

# Payment-deadline reminders, counted back from midnight after the last day: 09:00 the day
# before it and 09:00 on it.
DUE_REMINDERS = (dt.timedelta(hours=39), dt.timedelta(hours=15))

log = logging.getLogger(__name__)

PAYMENT_PERIOD = DeadlineRule(Period(7, Unit.DAY), "《诉讼费用交纳办法》第二十二条")
# Orders sent to a provider but unpaid here after this long are asked about.
RECONCILE_AFTER = dt.timedelta(minutes=2)


def _number() -> str:
    return f"MC{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"


def order_create(
    *,
    payer,
    kind: str,
    amount: Decimal,
    description: str,
    actor: Actor,
    case_id: int | None = None,
    court=None,
    breakdown: list | None = None,
    basis: list | None = None,
) -> PaymentOrder:
    """A fee notice's order, due in 7 days counted on the court calendar (第二十二条)."""
    if kind not in FeeKind.values:
        raise InvalidInput(_("费用类型不正确"), fields={"kind": _("未知的费用类型")})
    if amount is None or fen(amount) <= 0:
        raise InvalidInput(_("缴费金额必须大于零"), fields={"amount": _("金额必须大于零")})
    calendar = national_calendar(
        closures=court.closures.values_list("date", flat=True) if court is not None else ()
    )
    due = calendar.deadline(timezone.now(), PAYMENT_PERIOD).due
    for _attempt in range(5):
        try:
            with transaction.atomic():
                order = PaymentOrder.objects.create(
                    number=_number(),
                    payer=payer,
                    case_id=case_id,
                    court=court,
                    kind=kind,
                    description=description[:200],
                    amount=fen(amount),
                    breakdown=list(breakdown or []),
                    basis=list(basis or []),
                    due_date=due,
                )
                accounts.movement_record(kind="charge", amount=order.amount, order=order)
                ledger.record(
                    code=LedgerEvent.ORDER_CREATED,
                    actor=actor,
                    case_id=case_id,
                    data={
                        "order": order.number,
                        "amount": str(order.amount),
                        "kind": kind,
                        "due_date": due.isoformat(),
                    },
                )
                notifications.notify(
                    recipient=payer,
                    event="payments.order_created",
                    params={
                        "due": due.isoformat(),
                        "what": order.get_kind_display(),
                        "amount": display(order.amount),
                        "words": in_words(order.amount),
                        "order": order.number,
                    },
                    url=reverse("pay:order", args=[order.number]),
                    idempotency_key=f"payments.order_created:{order.number}",
                    channels=[Channel.INAPP, Channel.SMS],
                )
                # Reminders at 09:00 the day before and on the last day; withdrawn on payment.
                notifications.reminders_schedule(
                    event="payments.due_reminder",
                    deadline=dt.datetime.combine(
                        due + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI
                    ),
                    offsets=DUE_REMINDERS,
                    recipient=payer,
                    params={
                        "due": due.isoformat(),
                        "what": order.get_kind_display(),
                        "amount": display(order.amount),
                    },
                    url=reverse("pay:order", args=[order.number]),
                    idempotency_key=f"payments.due:{order.number}",
                )
                return order
        except IntegrityError:
            continue  # a number collision: draw another
    raise RuntimeError("could not allocate a unique order number")


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def order_checkout(*, order: PaymentOrder, actor: Actor, provider: str):
    """Send the payer to the provider. Only the payer, only an unpaid order."""
    if actor.user_id != order.payer_id:
        raise NotFound(_("没有找到该缴费单"))
    if order.status == OrderStatus.PAID:
        raise Conflict(_("该缴费单已缴费"), code="already_paid")
    if order.status == OrderStatus.CLOSED:
        raise Conflict(_("该缴费单已关闭"), code="closed")
    if provider not in getattr(settings, "PAYMENT_PROVIDERS", {}):
        raise InvalidInput(_("不支持的支付方式"), fields={"provider": _("请选择支付方式")})
    with transaction.atomic():
        if order.status == OrderStatus.FAILED:
            ORDER.apply(order, "retry", actor=actor)
        PaymentOrder.objects.filter(pk=order.pk).update(provider=provider)
        order.provider = provider
    return get_provider(provider).create(
        OrderRequest(
            out_trade_no=order.number,
            amount=order.amount,
            description=order.description,
            notify_url=_absolute(reverse("pay:callback", args=[provider])),
            return_url=_absolute(reverse("pay:order", args=[order.number])),
        )
    )


def callback_receive(*, provider: str, headers: dict, body: bytes) -> tuple[int, str, bytes]:
    """Handle one provider callback; returns what the provider expects back."""
    adapter = get_provider(provider)
    with transaction.atomic():
        log = CallbackLog.objects.create(
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
            CallbackLog.objects.filter(pk=log.pk).update(outcome=f"rejected: {exc}"[:200])
            ledger.record(
                code=LedgerEvent.CALLBACK_REJECTED,
                actor=Actor.system(f"{provider} callback"),
                data={"callback_log": log.pk, "reason": str(exc)[:200]},
            )
        return adapter.callback_response(False)
    try:
        outcome = _settle(provider=provider, event=event, source="callback")
    except (InvalidInput, NotFound) as exc:
        CallbackLog.objects.filter(pk=log.pk).update(
            verified=True,
            order_number=event.out_trade_no[:32],
            outcome=f"refused: {exc.message}"[:200],
        )
        return adapter.callback_response(False)
    CallbackLog.objects.filter(pk=log.pk).update(
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
        # Paid twice through two trades: keep the first, flag the second for a refund.
        return f"second payment {provider}:{event.provider_trade_no} needs a refund"
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
    accounts.movement_record(kind="payment", amount=event.amount, order=order, note=provider)
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
        title=str(_("缴费成功")),
        body=str(
            _("您已缴纳%(what)s %(amount)s，电子票据可在缴费单页面下载。")
            % {"what": order.get_kind_display(), "amount": display(order.amount)}
        ),
        url=reverse("pay:order", args=[order.number]),
        idempotency_key=f"payments.paid:{order.number}",
    )
    notifications.reminders_cancel(f"payments.due:{order.number}:")
    on_commit(_store_receipt_later, order.pk)
    return "paid"


def _store_receipt_later(order_id: int) -> None:
    from .tasks import store_receipt

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


def receipt_digest(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


@transaction.atomic
def order_close(*, order: PaymentOrder, actor: Actor, note: str = "") -> PaymentOrder:
    """Close an unpaid order whose purpose is gone (e.g. the case was deemed withdrawn)."""
    from .states import ORDER

    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    return ORDER.apply(order, "close", actor=actor, note=note[:500])
