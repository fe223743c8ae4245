"""Refunds: clerk Zhao refunds half of plaintiff Zhang's fee after mediation (第十五条)
through the sandbox; more than was paid is refused; a citizen cannot refund; a task run
twice sends once."""

import datetime as dt
from decimal import Decimal

import pytest

from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.payments import selectors
from microcourt.payments.actions import refunds
from microcourt.payments.events import LedgerEvent
from microcourt.payments.models import Refund, RefundStatus
from microcourt.payments.providers.base import ProviderError, get_provider
from microcourt.payments.providers.sandbox import SandboxProvider

from .helpers import fee_order, pay_in_sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox_records(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def paid_order(plaintiff_zhang, court_haishu, loan_case):
    return pay_in_sandbox(fee_order(plaintiff_zhang, court_haishu, case_id=loan_case.pk))


def sandbox_refunds(order):
    return [r for r in get_provider("sandbox")._records(order.number) if r["kind"] == "refund"]


def test_mediation_halves_the_fee_and_the_half_goes_back_through_the_sandbox(
    paid_order, clerk_zhao, plaintiff_zhang, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.refund_request(
            order=paid_order,
            amount=Decimal("525.00"),
            reason="halved",
            actor=actor_for(clerk_zhao),
        )
    assert refund.status == RefundStatus.PENDING and refund.basis.endswith("第十五条")
    run_tasks()
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_refund_no
    [record] = sandbox_refunds(paid_order)
    assert record["refund_no"] == refund.refund_no and record["amount"] == "525.00"
    for code in (
        LedgerEvent.REFUND_REQUESTED,
        LedgerEvent.REFUND_SENT,
        LedgerEvent.REFUND_SUCCEEDED,
    ):
        assert Entry.objects.filter(code=code, case_id=paid_order.case_id).count() == 1
    events = set(
        Notification.objects.filter(recipient=plaintiff_zhang).values_list("event", flat=True)
    )
    assert {"payments.refund_requested", "payments.refund_succeeded"} <= events
    assert selectors.refundable(paid_order) == Decimal("525.00")


def test_more_than_is_left_is_refused_naming_the_amount(paid_order, clerk_zhao):
    refunds.refund_request(
        order=paid_order, amount="1000", reason="claim_reduced", actor=actor_for(clerk_zhao)
    )
    with pytest.raises(InvalidInput) as refused:
        refunds.refund_request(
            order=paid_order, amount="50.01", reason="claim_reduced", actor=actor_for(clerk_zhao)
        )
    assert "amount" in refused.value.fields and "50.00" in str(refused.value.fields["amount"])
    with pytest.raises(InvalidInput) as zero:
        refunds.refund_request(
            order=paid_order, amount="0", reason="claim_reduced", actor=actor_for(clerk_zhao)
        )
    assert "amount" in zero.value.fields
    assert Refund.objects.count() == 1


def test_a_failed_refund_gives_its_amount_back_to_what_can_be_refunded(paid_order, clerk_zhao):
    refund = refunds.refund_request(
        order=paid_order, amount="1050", reason="dismissed", actor=actor_for(clerk_zhao)
    )
    Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED)
    assert selectors.refundable(paid_order) == Decimal("1050.00")


def test_a_citizen_cannot_refund(paid_order, plaintiff_zhang):
    with pytest.raises(Forbidden):
        refunds.refund_request(
            order=paid_order,
            amount="100",
            reason="halved",
            actor=Actor.citizen(plaintiff_zhang),
        )
    assert not Refund.objects.exists()
    assert not Entry.objects.filter(code=LedgerEvent.REFUND_REQUESTED).exists()


def test_the_send_task_run_twice_sends_once(paid_order, clerk_zhao, monkeypatch):
    calls = []
    original = SandboxProvider.refund

    def counting(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SandboxProvider, "refund", counting)
    refund = refunds.refund_request(
        order=paid_order, amount="300", reason="claim_reduced", actor=actor_for(clerk_zhao)
    )
    assert refunds.refund_send(refund_id=refund.pk) == RefundStatus.SUCCEEDED
    assert refunds.refund_send(refund_id=refund.pk) == RefundStatus.SUCCEEDED
    assert len(calls) == 1 and len(sandbox_refunds(paid_order)) == 1
    assert Entry.objects.filter(code=LedgerEvent.REFUND_SUCCEEDED).count() == 1


def test_a_refund_left_processing_is_sent_again_with_its_own_number(paid_order, clerk_zhao):
    """A worker died after the provider refunded but before we recorded it: the re-query
    sends the same refund number, and the provider refunds once."""
    refund = refunds.refund_request(
        order=paid_order, amount="200", reason="claim_reduced", actor=actor_for(clerk_zhao)
    )
    get_provider("sandbox").refund(
        paid_order.number, refund.refund_no, refund.amount, paid_order.payment.amount
    )
    Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.PROCESSING)
    assert refunds.refunds_requery(older_than=dt.timedelta(0)) == [refund.refund_no]
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and len(sandbox_refunds(paid_order)) == 1


def test_an_unpaid_order_cannot_be_refunded(plaintiff_zhang, court_haishu, clerk_zhao, loan_case):
    order = fee_order(plaintiff_zhang, court_haishu, case_id=loan_case.pk)
    with pytest.raises(Conflict):
        refunds.refund_request(
            order=order, amount="10", reason="claim_reduced", actor=actor_for(clerk_zhao)
        )


def test_an_other_reason_needs_its_basis(paid_order, clerk_zhao):
    with pytest.raises(InvalidInput) as refused:
        refunds.refund_request(
            order=paid_order, amount="10", reason="other", actor=actor_for(clerk_zhao)
        )
    assert "basis" in refused.value.fields
    refund = refunds.refund_request(
        order=paid_order,
        amount="10",
        reason="other",
        basis="《诉讼费用交纳办法》第二十七条第二款",
        actor=actor_for(clerk_zhao),
    )
    assert refund.basis.endswith("第二款")


def test_a_provider_refusal_fails_the_refund(paid_order, clerk_zhao, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ProviderError("NOT_ENOUGH", "refund: nothing left")

    monkeypatch.setattr(SandboxProvider, "refund", refuse)
    refund = refunds.refund_request(
        order=paid_order, amount="100", reason="claim_reduced", actor=actor_for(clerk_zhao)
    )
    assert refunds.refund_send(refund_id=refund.pk) == RefundStatus.FAILED
    refund.refresh_from_db()
    assert "NOT_ENOUGH" in refund.failure
    assert Entry.objects.filter(code=LedgerEvent.REFUND_FAILED).count() == 1
    assert selectors.refundable(paid_order) == Decimal("1050.00")
