"""Fee orders: the fee notice's order, the payer's checkout, closing an order whose purpose
is gone (《诉讼费用交纳办法》第二十条、第二十二条)."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.calendar import SHANGHAI, DeadlineRule, Period, Unit
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.core.money import display, fen, in_words
from microcourt.core.selectors import national_calendar
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications.models import Channel

from .. import policies
from ..events import LedgerEvent
from ..models import FeeKind, OrderStatus, PaymentOrder
from ..providers.base import OrderRequest, get_provider
from ..states import ORDER
from .accounts import movement_record

# Payment-deadline reminders, counted back from midnight after the last day: 09:00 the day
# before it and 09:00 on it.
DUE_REMINDERS = (dt.timedelta(hours=39), dt.timedelta(hours=15))

PAYMENT_PERIOD = DeadlineRule(Period(7, Unit.DAY), "《诉讼费用交纳办法》第二十二条")


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
                movement_record(kind="charge", amount=order.amount, order=order)
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
    """Send the payer to the provider (第二十条: the plaintiff or appellant prepays). Only
    the payer, only an unpaid order."""
    policies.require_pay(actor, order)
    if order.status == OrderStatus.PAID:
        raise Conflict(_("该缴费单已缴费"), code="already_paid")
    if order.status == OrderStatus.CLOSED:
        raise Conflict(_("该缴费单已关闭"), code="closed")
    if provider not in getattr(settings, "PAYMENT_PROVIDERS", {}):
        raise InvalidInput(_("不支持的支付方式"), fields={"provider": _("请选择支付方式")})
    with transaction.atomic():
        if order.status == OrderStatus.FAILED:
            ORDER.apply(order, "retry", actor=actor)
        # The channel is not a state: which provider to ask when reconciling.
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


@transaction.atomic
def order_close(*, order: PaymentOrder, actor: Actor, note: str = "") -> PaymentOrder:
    """Close an unpaid order whose purpose is gone: the case was deemed withdrawn
    (第二十二条; the system) or the fee exempted (第四十五条; the relief decider). The
    machine checks the role on the order (``policies.ORDER_CLOSE_ROLES``)."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    policies.require_see_order(actor, order)
    return ORDER.apply(order, "close", actor=actor, note=note[:500])
