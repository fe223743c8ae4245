"""Reads of fee orders, relief applications and a case's account, scoped to the actor
(ARCHITECTURE §4.4; who may see what is decided in ``policies``): what an actor may not see
is "not found", exactly as what does not exist."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.core.money import ZERO, fen
from microcourt.courts import selectors as court_selectors

from . import policies
from .models import (
    AccountMovement,
    FeeKind,
    MovementKind,
    OrderStatus,
    PaymentOrder,
    RefundReason,
    RefundStatus,
    ReliefApplication,
    ReliefStatus,
)

# Movements of cash the court actually holds; charges and relief change what is owed.
CASH_KINDS = (
    MovementKind.PAYMENT,
    MovementKind.OVERPAYMENT,
    MovementKind.REFUND,
    MovementKind.PAYOUT,
)
# What staff may give as a refund's reason; a duplicate payment's refund is the system's.
REFUND_REASONS = [(v, label) for v, label in RefundReason.choices if v != RefundReason.DUPLICATE]


# --------------------------------------------------------------------------- orders


def orders_of(actor: Actor) -> QuerySet[PaymentOrder]:
    """The orders the actor pays (a party sees its own orders, nobody else's)."""
    return (
        PaymentOrder.objects.filter(payer_id=actor.user_id)
        .select_related("court")
        .order_by("-created_at", "-pk")
    )


def order_for(actor: Actor, number: str) -> PaymentOrder:
    """The payer's own order; anyone else gets "not found" (ARCHITECTURE §4.4)."""
    order = orders_of(actor).filter(number=number).first()
    if order is None:
        raise NotFound(_("没有找到该缴费单"))
    return order


def orders_for_case(case_id: int) -> QuerySet[PaymentOrder]:
    """A case's fee orders, for the case's own pages and notices (the caller has checked
    the actor's standing on the case)."""
    return (
        PaymentOrder.objects.filter(case_id=case_id)
        .select_related("court", "payer")
        .order_by("created_at", "pk")
    )


def order_on_case(actor: Actor, case_id: int, number: str) -> PaymentOrder:
    """One of a case's orders by its number, for the court's people on the case."""
    order = orders_for_case(case_id).filter(number=(number or "").strip()).first()
    if order is None or not policies.court_roles_on_order(actor, order):
        raise NotFound(_("没有找到该缴费单"), fields={"order": _("请核对缴费单号")})
    return order


def overdue_case_fees(today) -> QuerySet[PaymentOrder]:
    """Unpaid acceptance fees past their due day with no relief application pending: the
    case is deemed withdrawn (《诉讼费用交纳办法》第二十二条). An approved deferral has
    already moved the due day."""
    return (
        PaymentOrder.objects.filter(
            case_id__isnull=False,
            kind__in=(FeeKind.ACCEPTANCE, FeeKind.APPEAL),
            status__in=(OrderStatus.PENDING, OrderStatus.FAILED),
            due_date__lt=today,
        )
        .exclude(relief_applications__status=ReliefStatus.PENDING)
        .order_by("due_date", "pk")
    )


def refundable(order: PaymentOrder) -> Decimal:
    """What is left to refund: the payment less every refund not failed (a duplicate
    payment's refund sends back that second payment, not this one)."""
    refunded = (
        order.refunds.filter(duplicate__isnull=True)
        .exclude(status=RefundStatus.FAILED)
        .aggregate(total=Sum("amount"))
    )
    return fen(order.payment.amount - (refunded["total"] or ZERO))


def finance_staff(order: PaymentOrder) -> list:
    """Whom to alert about money of this order that must go back: the people who keep the
    fee account at the order's court (``policies.FEE_ACCOUNT_ROLES``), or the platform's
    operators for an order of no court."""
    if order.court_id is not None:
        staff = list(
            court_selectors.staff_holding(court_id=order.court_id, roles=policies.FEE_ACCOUNT_ROLES)
        )
        if staff:
            return staff
    return list(get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("pk"))


# --------------------------------------------------------------------------- relief


def order_has_pending_relief(order: PaymentOrder) -> bool:
    """True while a relief application on the order awaits a decision: the order's
    due-date consequence waits for it (民诉解释第二百一十三条)."""
    return ReliefApplication.objects.filter(order=order, status=ReliefStatus.PENDING).exists()


def relief_applications_for(actor: Actor) -> QuerySet[ReliefApplication]:
    """The relief applications the actor may see: its own, and those it may decide
    (``policies.relief_visible_q``)."""
    return (
        ReliefApplication.objects.filter(policies.relief_visible_q(actor))
        .select_related("order", "applicant")
        .order_by("created_at", "pk")
    )


def relief_queue(actor: Actor) -> QuerySet[ReliefApplication]:
    """The pending applications the actor may decide, oldest first."""
    return (
        ReliefApplication.objects.filter(
            policies.relief_decidable_q(actor), status=ReliefStatus.PENDING
        )
        .select_related("order", "applicant")
        .order_by("created_at", "pk")
    )


def relief_application_for(actor: Actor, pk: int) -> ReliefApplication:
    """One application for someone with standing on its order (the applicant, the court's
    people on the order: ``policies.relief_roles``/``order_roles``); ``NotFound`` for "absent"
    and "not yours". Whether it may be decided is the action's guard to say."""
    found = ReliefApplication.objects.select_related("order", "applicant").filter(pk=pk).first()
    if found is None or not (
        policies.relief_roles(actor, found) or policies.order_roles(actor, found.order)
    ):
        raise NotFound(_("没有找到该申请"))
    return found


# --------------------------------------------------------------------------- the case's account


def case_account(case_id: int) -> dict:
    """The case's movements, oldest first, with ``balance`` (cash the court holds for the
    case: payments less refunds and payouts) and ``outstanding`` (charged less relief and
    payments). The caller has checked ``policies.require_see_case_account``."""
    movements = list(AccountMovement.objects.filter(case_id=case_id).select_related("order"))
    balance = sum((m.amount for m in movements if m.kind in CASH_KINDS), ZERO)
    outstanding = sum(
        (
            m.amount if m.kind != MovementKind.PAYMENT else -m.amount
            for m in movements
            if m.kind in (MovementKind.CHARGE, MovementKind.RELIEF, MovementKind.PAYMENT)
        ),
        ZERO,
    )
    return {"movements": movements, "balance": fen(balance), "outstanding": fen(outstanding)}
