"""重复缴费 (issue 14): 张三 opened two payment channels for his 1,050 yuan fee and paid in
both. The first trade settles the order; the second is not owed (《民法典》第九百八十五条):
it is recorded in the ledger and the case's account, the court's finance staff (李立案, 孙管理员)
are alerted, and it is refunded through the channel that took it — once, however often the
provider repeats its notification. When that channel refuses the refund, the money is queued
for finance staff to return by hand, and they are alerted again."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.payments import actions, selectors
from microcourt.payments.events import LedgerEvent
from microcourt.payments.models import (
    CallbackLog,
    DuplicatePayment,
    DuplicateStatus,
    OrderStatus,
    Payment,
    Refund,
    RefundStatus,
)
from microcourt.payments.providers.base import ProviderError, get_provider
from microcourt.payments.providers.sandbox import open_order

from .helpers import fee_order

pytestmark = pytest.mark.django_db

SANDBOX = "microcourt.payments.providers.sandbox.SandboxProvider"


@pytest.fixture(autouse=True)
def _two_channels(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the sandboxes' provider-side record lives here
    # Two independent channels (think WeChat Pay and Alipay): each has its own trade for
    # the same order number, and refunds its own.
    settings.PAYMENT_PROVIDERS = {"sandbox": {"BACKEND": SANDBOX}, "wallet": {"BACKEND": SANDBOX}}


@pytest.fixture
def order(plaintiff_zhang, court_haishu, loan_case):
    return fee_order(plaintiff_zhang, court_haishu, case_id=loan_case.pk)


def paid_in(order, provider):
    """The payer checks out with ``provider`` and pays there; (callback body, headers)."""
    checkout = actions.order_checkout(
        order=order, actor=Actor.citizen(order.payer), provider=provider
    )
    token = checkout.redirect_url.rstrip("/").rsplit("/", 1)[-1]
    channel = get_provider(provider)
    record = channel.decide(open_order(token), "paid")
    body = channel.callback_body(record)
    return body, channel.signed_headers(body.encode())


def post_callback(client, provider, body, headers):
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in headers.items()
        if k.lower() != "content-type"
    }
    return client.post(
        reverse("pay:callback", args=[provider]), body, content_type="application/json", **extra
    )


def alerts(event):
    return Notification.objects.filter(event=event, channel="inapp")


def refunds_made_by(provider, order):
    return [r for r in get_provider(provider)._records(order.number) if r["kind"] == "refund"]


@pytest.fixture
def paid_twice(client, order, officer_li, admin_sun):
    first = paid_in(order, "sandbox")
    order.refresh_from_db()
    second = paid_in(order, "wallet")  # the page was slow: he paid again elsewhere
    assert post_callback(client, "sandbox", *first).status_code == 200
    assert post_callback(client, "wallet", *second).status_code == 200
    order.refresh_from_db()
    return second


def test_a_second_payment_is_recorded_alerted_and_refunded_through_its_channel(
    client, order, paid_twice, officer_li, admin_sun, plaintiff_zhang
):
    assert order.status == OrderStatus.PAID and order.payment.provider == "sandbox"
    duplicate = DuplicatePayment.objects.get()
    assert (duplicate.provider, duplicate.amount) == ("wallet", Decimal("1050.00"))
    assert duplicate.status == DuplicateStatus.REFUNDING
    received = Entry.objects.get(code=LedgerEvent.DUPLICATE_RECEIVED)
    assert received.case_id == order.case_id
    # The court's finance staff are told, with the order, the amount and the trade.
    told = alerts("payments.duplicate_received")
    assert {n.recipient_id for n in told} == {officer_li.user.pk, admin_sun.pk}
    assert order.number in told[0].body and "1,050.00" in told[0].body
    assert duplicate.provider_trade_no in told[0].body
    assert Notification.objects.filter(
        recipient=plaintiff_zhang, event="payments.refund_requested", channel="inapp"
    ).exists()

    refund = Refund.objects.get(duplicate=duplicate)
    assert refund.requested_by is None and refund.reason == "duplicate"
    assert actions.refund_send(refund_id=refund.pk) == RefundStatus.SUCCEEDED
    duplicate.refresh_from_db()
    assert duplicate.status == DuplicateStatus.REFUNDED
    assert Entry.objects.filter(code=LedgerEvent.DUPLICATE_REFUNDED).count() == 1
    # The second channel refunded its own trade; the first payment is untouched.
    assert [r["amount"] for r in refunds_made_by("wallet", order)] == ["1050.00"]
    assert refunds_made_by("sandbox", order) == []
    # The account: charged once, paid once, the second payment in and out again; nothing
    # outstanding, and the court holds the fee alone.
    account = selectors.case_account(order.case_id)
    lines = sorted((m.kind, m.amount) for m in account["movements"])
    assert lines == sorted(
        [
            ("charge", Decimal("1050.00")),
            ("payment", Decimal("1050.00")),
            ("overpayment", Decimal("1050.00")),
            ("refund", Decimal("-1050.00")),
        ]
    )
    assert account["balance"] == Decimal("1050.00") and account["outstanding"] == 0
    # What staff may still refund of the fee itself is the whole fee.
    assert selectors.refundable(order) == Decimal("1050.00")


def test_the_same_duplicate_notification_twice_refunds_once(client, order, paid_twice):
    # The wallet did not hear our answer and notifies again; reconciliation could too.
    assert post_callback(client, "wallet", *paid_twice).status_code == 200
    assert DuplicatePayment.objects.count() == 1 and Refund.objects.count() == 1
    assert Entry.objects.filter(code=LedgerEvent.DUPLICATE_RECEIVED).count() == 1
    assert alerts("payments.duplicate_received").count() == 2  # one per staff member, once
    outcomes = list(CallbackLog.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes[-1].startswith("duplicate second payment")
    refund = Refund.objects.get()
    for _attempt in range(2):  # a retried task
        actions.refund_send(refund_id=refund.pk)
    assert len(refunds_made_by("wallet", order)) == 1
    assert Payment.objects.count() == 1


def test_a_refused_refund_is_queued_for_finance_staff_who_settle_it_by_hand(
    client, order, paid_twice, monkeypatch, officer_li, admin_sun, judge_chen, plaintiff_zhang
):
    def refuses(*args, **kwargs):
        raise ProviderError("TRADE_NOT_REFUNDABLE", "this trade cannot be refunded online")

    monkeypatch.setattr(get_provider("wallet"), "refund", refuses)
    refund = Refund.objects.get()
    assert actions.refund_send(refund_id=refund.pk) == RefundStatus.FAILED
    duplicate = DuplicatePayment.objects.get()
    assert duplicate.status == DuplicateStatus.MANUAL
    assert "TRADE_NOT_REFUNDABLE" in duplicate.note
    assert Entry.objects.filter(code=LedgerEvent.DUPLICATE_MANUAL).count() == 1
    told = alerts("payments.duplicate_manual")
    assert {n.recipient_id for n in told} == {officer_li.user.pk, admin_sun.pk}
    assert "TRADE_NOT_REFUNDABLE" in told[0].body
    assert told[0].url == reverse("case_account", args=[order.case_id])

    # The payer may not settle it; the finance staff record how they returned it.
    with pytest.raises(Forbidden):
        actions.duplicate_settle(
            duplicate=duplicate, actor=Actor.citizen(plaintiff_zhang), note="x"
        )
    actions.duplicate_settle(duplicate=duplicate, actor=officer_li, note="银行转账 流水号 8812")
    duplicate.refresh_from_db()
    assert duplicate.status == DuplicateStatus.REFUNDED and "8812" in duplicate.note
    settled = Entry.objects.filter(code=LedgerEvent.DUPLICATE_REFUNDED).get()
    assert settled.actor_user_id == officer_li.user.pk


def test_an_unreachable_channel_is_asked_again_not_handed_over(client, order, paid_twice):
    """A refund that may have reached the provider must not also be made by hand: it stays
    with the provider, asked again with the same refund number until it answers."""
    channel = get_provider("wallet")
    real = channel.refund

    def down(*args, **kwargs):
        raise ProviderError("NETWORK", "connection timed out", retryable=True)

    channel.refund = down
    try:
        refund = Refund.objects.get()
        assert actions.refund_send(refund_id=refund.pk) == RefundStatus.PROCESSING
        assert DuplicatePayment.objects.get().status == DuplicateStatus.REFUNDING
        assert not alerts("payments.duplicate_manual").exists()
    finally:
        channel.refund = real
    assert actions.refunds_requery(older_than=dt.timedelta(0)) == [refund.refund_no]
    assert DuplicatePayment.objects.get().status == DuplicateStatus.REFUNDED
    assert len(refunds_made_by("wallet", order)) == 1
