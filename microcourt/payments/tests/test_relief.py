"""Judicial aid on fees (第四十四条至第四十七条): plaintiff Zhang asks for a reduction or a
deferral; defendant Wang, applying for his company, may not ask for exemption; judge Chen
decides."""

import datetime as dt
from decimal import Decimal

import pytest

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.payments import relief
from microcourt.payments.events import LedgerEvent
from microcourt.payments.models import (
    AccountMovement,
    OrderStatus,
    ReliefApplication,
    ReliefStatus,
)

from .helpers import fee_order, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(plaintiff_zhang, court_haishu):
    return fee_order(plaintiff_zhang, court_haishu, amount="1050")


def test_a_reduction_of_twenty_percent_is_refused(order, plaintiff_zhang):
    with pytest.raises(InvalidInput) as refused:
        relief.relief_apply(
            applicant=plaintiff_zhang, order=order, kind="reduction", percent=20, reason="失业"
        )
    assert "percent" in refused.value.fields and "30%" in str(refused.value.fields["percent"])
    assert not ReliefApplication.objects.exists()
    assert not relief.order_has_pending_relief(order)


def test_exemption_for_an_organisation_is_refused(defendant_wang, court_haishu):
    company_order = fee_order(defendant_wang, court_haishu, amount="800")
    with pytest.raises(InvalidInput) as refused:
        relief.relief_apply(
            applicant=defendant_wang,
            order=company_order,
            kind="exemption",
            reason="公司经营困难",
            for_organisation=True,
        )
    assert "kind" in refused.value.fields
    # The same company may still ask for a reduction.
    application = relief.relief_apply(
        applicant=defendant_wang,
        order=company_order,
        kind="reduction",
        percent=30,
        reason="公司经营困难",
        for_organisation=True,
    )
    assert application.status == ReliefStatus.PENDING


def test_an_approved_reduction_lowers_what_the_order_asks_for(order, plaintiff_zhang, judge_chen):
    application = relief.relief_apply(
        applicant=plaintiff_zhang, order=order, kind="reduction", percent=40, reason="低保户"
    )
    assert relief.order_has_pending_relief(order)
    assert Entry.objects.filter(code=LedgerEvent.RELIEF_APPLIED, case_id=42).exists()
    with pytest.raises(Conflict):
        relief.relief_apply(
            applicant=plaintiff_zhang, order=order, kind="deferral", reason="再申请一次"
        )
    relief.relief_decide(
        application=application, actor=staff(judge_chen, "judge"), approve=True, reason="属实"
    )
    order.refresh_from_db()
    application.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.amount == Decimal("630.00")
    assert application.approved_amount == Decimal("630.00")
    assert application.status == ReliefStatus.APPROVED
    assert not relief.order_has_pending_relief(order)
    assert Entry.objects.filter(code=LedgerEvent.RELIEF_DECIDED, case_id=42).count() == 1
    movement = AccountMovement.objects.get(kind="relief")
    assert movement.amount == Decimal("-420.00")
    assert Notification.objects.filter(
        recipient=plaintiff_zhang, event="payments.relief_decided"
    ).exists()


def test_an_approved_exemption_closes_the_order(order, plaintiff_zhang, clerk_zhao):
    application = relief.relief_apply(
        applicant=plaintiff_zhang, order=order, kind="exemption", reason="特困供养人员"
    )
    relief.relief_decide(
        application=application, actor=staff(clerk_zhao), approve=True, reason="属实"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and order.amount == Decimal("1050.00")
    application.refresh_from_db()
    assert application.approved_amount == Decimal("0.00")
    assert Entry.objects.filter(code=LedgerEvent.ORDER_CLOSED).exists()


def test_an_approved_deferral_moves_the_due_date(order, plaintiff_zhang, clerk_zhao):
    application = relief.relief_apply(
        applicant=plaintiff_zhang, order=order, kind="deferral", reason="工资尚未发放"
    )
    later = order.due_date + dt.timedelta(days=30)
    with pytest.raises(InvalidInput) as missing:
        relief.relief_decide(
            application=application, actor=staff(clerk_zhao), approve=True, reason="同意"
        )
    assert "new_due_date" in missing.value.fields
    relief.relief_decide(
        application=application,
        actor=staff(clerk_zhao),
        approve=True,
        reason="同意",
        new_due_date=later,
    )
    order.refresh_from_db()
    assert order.due_date == later and order.amount == Decimal("1050.00")
    assert order.status == OrderStatus.PENDING


def test_a_rejected_application_changes_nothing_and_only_staff_decide(
    order, plaintiff_zhang, clerk_zhao
):
    application = relief.relief_apply(
        applicant=plaintiff_zhang, order=order, kind="reduction", percent=50, reason="困难"
    )
    with pytest.raises(Forbidden):
        relief.relief_decide(
            application=application,
            actor=Actor.citizen(plaintiff_zhang),
            approve=True,
            reason="自己批准",
        )
    relief.relief_decide(
        application=application, actor=staff(clerk_zhao), approve=False, reason="不符合条件"
    )
    order.refresh_from_db()
    assert order.amount == Decimal("1050.00")
    application.refresh_from_db()
    assert application.status == ReliefStatus.REJECTED and application.approved_amount is None


def test_only_the_payer_applies(order, defendant_wang):
    from microcourt.core.errors import NotFound

    with pytest.raises(NotFound):
        relief.relief_apply(applicant=defendant_wang, order=order, kind="deferral", reason="x")
