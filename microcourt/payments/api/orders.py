"""API for the payer's orders: list, read, start a payment, apply for relief, give a payee
account. Callbacks are not API calls (providers post to /payments/callback/<provider>/ with
their own signatures)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from microcourt.core.actor import actor_of

from .. import actions, selectors
from ..schemas import (
    CheckoutIn,
    CheckoutOut,
    OrderOut,
    PayeeAccountIn,
    PayeeAccountOut,
    ReliefIn,
    ReliefOut,
)

router = Router(tags=["payments"])


@router.get("/payments/orders", response=list[OrderOut])
def list_orders(request: HttpRequest):
    return selectors.orders_of(actor_of(request))


@router.get("/payments/orders/{number}", response=OrderOut)
def get_order(request: HttpRequest, number: str):
    return selectors.order_for(actor_of(request), number)


@router.post("/payments/orders/{number}/checkout", response=CheckoutOut)
def checkout(request: HttpRequest, number: str, payload: CheckoutIn):
    """Start paying: where to send the payer (a URL, a self-posting form, or a QR code)."""
    actor = actor_of(request)
    order = selectors.order_for(actor, number)
    return actions.order_checkout(order=order, actor=actor, provider=payload.provider)


@router.post("/payments/orders/{number}/relief", response=ReliefOut)
def apply_relief(request: HttpRequest, number: str, payload: ReliefIn):
    """诉讼费缓交、减交、免交 (第四十四条至第四十七条); the court decides."""
    actor = actor_of(request)
    order = selectors.order_for(actor, number)
    return actions.relief_apply(applicant=actor.user, order=order, **payload.dict())


@router.post("/payments/payee-account", response=PayeeAccountOut)
def payee_account(request: HttpRequest, payload: PayeeAccountIn):
    """Where court money (案款, refunds) is paid to: a verified person's own bank account."""
    actor = actor_of(request)
    return actions.payee_account_register(user=actor.user, actor=actor, **payload.dict())
