"""Story helpers shared by the refund, relief and account tests."""

import datetime as dt
from decimal import Decimal

from microcourt.core.actor import Actor
from microcourt.payments import actions
from microcourt.payments.providers.base import get_provider
from microcourt.payments.providers.sandbox import open_order


def fee_order(payer, court, amount="1050", case_id=None):
    return actions.order_create(
        payer=payer,
        kind="acceptance",
        amount=Decimal(amount),
        court=court,
        description="民间借贷纠纷 案件受理费",
        actor=Actor.system("fee notice"),
        case_id=case_id,
    )


def pay_in_sandbox(order):
    """The payer pays on the sandbox page; the payment is settled (by reconciliation, as
    the callback's own path is covered in test_orders)."""
    checkout = actions.order_checkout(
        order=order, actor=Actor.citizen(order.payer), provider="sandbox"
    )
    token = checkout.redirect_url.rstrip("/").rsplit("/", 1)[-1]
    get_provider("sandbox").decide(open_order(token), "paid")
    assert actions.reconcile(older_than=dt.timedelta(0)) == [order.number]
    order.refresh_from_db()
    return order
