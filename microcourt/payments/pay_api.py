"""API for the payer's orders: list, read, start a payment. Callbacks are not API calls
(providers post to /payments/callback/<provider>/ with their own signatures)."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from microcourt.core.actor import Actor
from microcourt.core.money import in_words

from . import actions, selectors

router = Router(tags=["payments"])


class OrderOut(Schema):
    number: str
    kind: str
    description: str
    amount: Decimal
    amount_in_words: str
    due_date: dt.date
    status: str
    paid_at: dt.datetime | None
    breakdown: list
    basis: list
    case_id: int | None

    @staticmethod
    def resolve_amount_in_words(obj) -> str:
        return in_words(obj.amount)


class CheckoutIn(Schema):
    provider: str = "sandbox"


class CheckoutOut(Schema):
    kind: str
    redirect_url: str
    form_html: str
    code_url: str


@router.get("/payments/orders", response=list[OrderOut])
def list_orders(request: HttpRequest):
    return selectors.orders_of(request.auth)


@router.get("/payments/orders/{number}", response=OrderOut)
def get_order(request: HttpRequest, number: str):
    return selectors.order_for(request.auth, number)


@router.post("/payments/orders/{number}/checkout", response=CheckoutOut)
def checkout(request: HttpRequest, number: str, payload: CheckoutIn):
    """Start paying: where to send the payer (a URL, a self-posting form, or a QR code)."""
    order = selectors.order_for(request.auth, number)
    return actions.order_checkout(
        order=order, actor=Actor.citizen(request.auth), provider=payload.provider
    )


class ReliefIn(Schema):
    kind: str
    reason: str
    percent: int | None = None
    for_organisation: bool = False


class ReliefOut(Schema):
    id: int
    kind: str
    percent: int | None
    status: str


@router.post("/payments/orders/{number}/relief", response=ReliefOut)
def apply_relief(request: HttpRequest, number: str, payload: ReliefIn):
    """诉讼费缓交、减交、免交 (第四十四条至第四十七条); court staff decide."""
    from . import relief

    order = selectors.order_for(request.auth, number)
    return relief.relief_apply(applicant=request.auth, order=order, **payload.dict())


class PayeeAccountIn(Schema):
    bank_name: str
    account_number: str
    account_name: str


class PayeeAccountOut(Schema):
    id: int
    bank_name: str
    account_name: str
    account_number: str  # masked

    @staticmethod
    def resolve_account_number(obj) -> str:
        from microcourt.core.crypto import mask

        return mask(obj.account_number, keep_start=4, keep_end=4)


@router.post("/payments/payee-account", response=PayeeAccountOut)
def payee_account(request: HttpRequest, payload: PayeeAccountIn):
    """Where court money (案款, refunds) is paid to: a verified person's own bank account."""
    from . import payouts

    return payouts.payee_account_register(
        user=request.auth, actor=Actor.citizen(request.auth), **payload.dict()
    )
