"""Judicial aid on fees (第四十四条至第五十一条): plaintiff Zhang asks for a reduction or a
deferral; defendant Wang, applying for his company, may not ask for exemption; the court
decides — the filing officer or division head of the order's court, or the judge on the
case's panel — and nobody else."""

import datetime as dt
from decimal import Decimal

import pytest

from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.payments import actions, selectors
from microcourt.payments.events import LedgerEvent
from microcourt.payments.models import (
    AccountMovement,
    OrderStatus,
    PaymentOrder,
    ReliefApplication,
    ReliefStatus,
)

from .helpers import fee_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(plaintiff_zhang, court_haishu, loan_case):
    return fee_order(plaintiff_zhang, court_haishu, amount="1050", case_id=loan_case.pk)


def apply(order, kind="reduction", percent=50, reason="领取最低生活保障金"):
    return actions.relief_apply(
        applicant=order.payer, order=order, kind=kind, percent=percent, reason=reason
    )


def test_a_reduction_of_twenty_percent_is_refused(order, plaintiff_zhang):
    with pytest.raises(InvalidInput) as refused:
        actions.relief_apply(
            applicant=plaintiff_zhang, order=order, kind="reduction", percent=20, reason="失业"
        )
    assert "percent" in refused.value.fields and "30%" in str(refused.value.fields["percent"])
    assert not ReliefApplication.objects.exists()
    assert not selectors.order_has_pending_relief(order)


def test_exemption_for_an_organisation_is_refused(defendant_wang, court_haishu):
    company_order = fee_order(defendant_wang, court_haishu, amount="800")
    with pytest.raises(InvalidInput) as refused:
        actions.relief_apply(
            applicant=defendant_wang,
            order=company_order,
            kind="exemption",
            reason="公司经营困难",
            for_organisation=True,
        )
    assert "kind" in refused.value.fields
    # The same company may still ask for a reduction.
    application = actions.relief_apply(
        applicant=defendant_wang,
        order=company_order,
        kind="reduction",
        percent=30,
        reason="公司经营困难",
        for_organisation=True,
    )
    assert application.status == ReliefStatus.PENDING


def test_the_panel_judge_approves_a_reduction_which_lowers_what_the_order_asks_for(
    order, plaintiff_zhang, judge_chen, loan_case
):
    application = apply(order, percent=40, reason="低保户")
    assert selectors.order_has_pending_relief(order)
    assert Entry.objects.filter(code=LedgerEvent.RELIEF_APPLIED, case_id=loan_case.pk).exists()
    with pytest.raises(Conflict):
        apply(order, kind="deferral", reason="再申请一次")
    actions.relief_decide(
        application=application, actor=actor_for(judge_chen), approve=True, reason="属实"
    )
    order.refresh_from_db()
    application.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.amount == Decimal("630.00")
    assert application.approved_amount == Decimal("630.00")
    assert application.status == ReliefStatus.APPROVED and application.decided_by == judge_chen
    assert not selectors.order_has_pending_relief(order)
    [decided] = Entry.objects.filter(code=LedgerEvent.RELIEF_DECIDED, case_id=loan_case.pk)
    assert decided.actor_role == "judge"  # recorded in the role the decision was made in
    assert decided.details["approved_amount"] == "630.00"
    movement = AccountMovement.objects.get(kind="relief")
    assert movement.amount == Decimal("-420.00")
    note = Notification.objects.get(recipient=plaintiff_zhang, event="payments.relief_approved")
    assert "630.00" in note.body and "减交" in note.body


def test_the_filing_officer_approves_an_exemption_which_closes_the_order(order, officer_li):
    application = apply(order, kind="exemption", percent=None, reason="特困供养人员")
    actions.relief_decide(application=application, actor=officer_li, approve=True, reason="属实")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and order.amount == Decimal("1050.00")
    application.refresh_from_db()
    assert application.approved_amount == Decimal("0.00")
    closed = Entry.objects.get(code=LedgerEvent.ORDER_CLOSED)
    assert closed.actor_role == "filing_officer"


def test_an_approved_deferral_moves_the_due_date(order, plaintiff_zhang, officer_li):
    application = apply(order, kind="deferral", percent=None, reason="工资尚未发放")
    later = order.due_date + dt.timedelta(days=30)
    officer = officer_li
    with pytest.raises(InvalidInput) as missing:
        actions.relief_decide(application=application, actor=officer, approve=True, reason="同意")
    assert "new_due_date" in missing.value.fields
    actions.relief_decide(
        application=application, actor=officer, approve=True, reason="同意", new_due_date=later
    )
    order.refresh_from_db()
    assert order.due_date == later and order.amount == Decimal("1050.00")
    assert order.status == OrderStatus.PENDING
    note = Notification.objects.get(recipient=plaintiff_zhang, event="payments.relief_deferred")
    assert later.isoformat() in note.body


def test_a_refusal_gives_its_reasons_and_changes_nothing_on_the_order(
    order, plaintiff_zhang, officer_li
):
    application = apply(order)
    officer = officer_li
    with pytest.raises(InvalidInput) as unreasoned:  # 第四十八条: reasons in writing
        actions.relief_decide(application=application, actor=officer, approve=False, reason=" ")
    assert "reason" in unreasoned.value.fields
    actions.relief_decide(
        application=application, actor=officer, approve=False, reason="家庭收入高于低保标准"
    )
    order.refresh_from_db()
    assert order.amount == Decimal("1050.00") and order.status == OrderStatus.PENDING
    application.refresh_from_db()
    assert application.status == ReliefStatus.REJECTED and application.approved_amount is None
    note = Notification.objects.get(recipient=plaintiff_zhang, event="payments.relief_rejected")
    assert "家庭收入高于低保标准" in note.body
    with pytest.raises(Conflict):  # decided once
        actions.relief_decide(application=application, actor=officer, approve=True, reason="改判")


def test_an_english_reader_reads_the_decision_in_english(order, plaintiff_zhang, officer_li):
    plaintiff_zhang.preferred_language = "en"
    plaintiff_zhang.save(update_fields=["preferred_language"])
    application = apply(order)
    actions.relief_decide(
        application=application, actor=officer_li, approve=False, reason="收入高于标准"
    )
    note = Notification.objects.get(recipient=plaintiff_zhang, event="payments.relief_rejected")
    assert note.title == "Fee relief decision"
    assert "not approved" in note.body and "收入高于标准" in note.body


def unchanged(order, application):
    order.refresh_from_db()
    application.refresh_from_db()
    return (
        order.amount == Decimal("1050.00")
        and order.status == OrderStatus.PENDING
        and application.status == ReliefStatus.PENDING
        and application.decided_by is None
        and not Entry.objects.filter(code=LedgerEvent.RELIEF_DECIDED).exists()
        and not Notification.objects.filter(event__startswith="payments.relief_").exists()
    )


@pytest.mark.parametrize("who", ["officer_yinzhou", "admin_yinzhou", "judge_qian"])
def test_staff_of_another_court_or_off_the_panel_find_no_application(request, order, who):
    """The attack: the relief desk listed and decided every court's applications. Another
    court's filing officer or administrator, and a judge of this court who is not on the
    case, neither see it in their queue nor can decide it: 404, nothing changes."""
    application = apply(order)
    actor = actor_for(request.getfixturevalue(who))
    assert not selectors.relief_queue(actor).exists()
    assert not selectors.relief_applications_for(actor).exists()
    with pytest.raises(NotFound):
        selectors.relief_application_for(actor, application.pk)
    with pytest.raises(NotFound):
        actions.relief_decide(application=application, actor=actor, approve=True, reason="x")
    assert unchanged(order, application)


@pytest.mark.parametrize("who", ["plaintiff_zhang", "clerk_zhao", "admin_sun"])
def test_the_applicant_and_the_courts_non_deciders_may_not_decide(request, order, who):
    """Those with standing on the order who are not deciders: the applicant itself, the
    panel's clerk, the court's administrator — 403 with a reason, nothing changes."""
    application = apply(order)
    with pytest.raises(Forbidden):
        actions.relief_decide(
            application=application,
            actor=actor_for(request.getfixturevalue(who)),
            approve=True,
            reason="自己批准",
        )
    assert unchanged(order, application)


def test_a_role_claimed_by_hand_counts_for_nothing(order, officer_yinzhou, court_haishu):
    """An actor built to say "filing officer of 海曙" by someone who is one only at 鄞州."""
    application = apply(order)
    forged = Actor(user=officer_yinzhou, role="filing_officer", court_id=court_haishu.pk)
    with pytest.raises(NotFound):
        actions.relief_decide(application=application, actor=forged, approve=True, reason="x")
    assert unchanged(order, application)


def test_a_filing_officer_does_not_decide_his_own_application(order, officer_li, court_haishu):
    own = fee_order(officer_li.user, court_haishu, amount="300")
    application = actions.relief_apply(
        applicant=officer_li.user, order=own, kind="deferral", reason="暂时困难"
    )
    assert not selectors.relief_queue(officer_li).exists()
    with pytest.raises(Forbidden):
        actions.relief_decide(
            application=application,
            actor=officer_li,
            approve=True,
            reason="同意",
            new_due_date=own.due_date + dt.timedelta(days=30),
        )
    assert Entry.objects.get(code=LedgerEvent.RELIEF_APPLIED).actor_role == "citizen"


def test_each_decider_lists_what_is_theirs_and_a_party_only_its_own(
    order, officer_li, judge_chen, officer_yinzhou, defendant_wang, court_yinzhou, loan_case
):
    at_haishu = apply(order)
    elsewhere = fee_order(defendant_wang, court_yinzhou, amount="500")
    at_yinzhou = actions.relief_apply(
        applicant=defendant_wang, order=elsewhere, kind="deferral", reason="暂时困难"
    )
    assert list(selectors.relief_queue(officer_li)) == [at_haishu]
    assert list(selectors.relief_queue(actor_for(judge_chen))) == [at_haishu]
    assert list(selectors.relief_queue(actor_for(officer_yinzhou))) == [at_yinzhou]
    assert list(selectors.relief_applications_for(actor_for(defendant_wang))) == [at_yinzhou]
    assert list(selectors.relief_applications_for(actor_for(order.payer))) == [at_haishu]


def test_only_the_payer_applies(order, defendant_wang):
    with pytest.raises(NotFound):
        actions.relief_apply(applicant=defendant_wang, order=order, kind="deferral", reason="x")
    assert not ReliefApplication.objects.exists()
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.PENDING
