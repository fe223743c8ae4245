"""The per-case court account: plaintiff Zhang is charged, pays and is refunded half after
mediation; the court's people on the case see every movement and order refunds from it;
staff of another court, or of this court but not on the case, find nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from microcourt.core.actor import actor_for
from microcourt.core.errors import Forbidden, NotFound
from microcourt.identity.tests.test_mfa import enrol_totp
from microcourt.ledger.models import Entry
from microcourt.payments import actions, policies, selectors
from microcourt.payments.events import LedgerEvent
from microcourt.payments.models import AccountMovement, Refund

from .helpers import fee_order, pay_in_sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox_records(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def paid(plaintiff_zhang, court_haishu, loan_case):
    return pay_in_sandbox(fee_order(plaintiff_zhang, court_haishu, case_id=loan_case.pk))


@pytest.fixture
def refunded_case(paid, plaintiff_zhang, court_haishu, clerk_zhao, loan_case):
    refund = actions.refund_request(
        order=paid, amount="525", reason="halved", actor=actor_for(clerk_zhao)
    )
    actions.refund_send(refund_id=refund.pk)
    fee_order(plaintiff_zhang, court_haishu, amount="99", case_id=None)  # not this case's
    return paid


def test_charge_payment_and_refund_are_movements_with_a_balance(refunded_case, loan_case):
    account = selectors.case_account(loan_case.pk)
    assert [(m.kind, m.amount) for m in account["movements"]] == [
        ("charge", Decimal("1050.00")),
        ("payment", Decimal("1050.00")),
        ("refund", Decimal("-525.00")),
    ]
    assert account["balance"] == Decimal("525.00")
    assert account["outstanding"] == Decimal("0.00")
    assert all(m.order_id == refunded_case.pk for m in account["movements"])


def test_movements_are_append_only(refunded_case, loan_case):
    movement = AccountMovement.objects.first()
    movement.amount = Decimal("1")
    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        AccountMovement.objects.filter(case_id=loan_case.pk).update(amount=0)
    with pytest.raises(TypeError):
        AccountMovement.objects.filter(case_id=loan_case.pk).delete()


def test_the_account_page_is_for_the_courts_people_on_the_case(
    client, refunded_case, loan_case, plaintiff_zhang, clerk_zhao, officer_li
):
    url = reverse("case_account", args=[loan_case.pk])
    client.force_login(plaintiff_zhang)
    assert client.get(url).status_code == 403  # a party: its own orders are on its pages
    for user in (clerk_zhao, officer_li.user):
        enrol_totp(user)  # staff pages need a second factor
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert refunded_case.number in html and "525.00" in html and "-525.00" in html


@pytest.mark.parametrize("who", ["officer_yinzhou", "admin_yinzhou", "judge_qian"])
def test_staff_with_no_standing_on_the_case_find_no_account(
    request, client, refunded_case, loan_case, who
):
    """Another court's filing officer or administrator, and a judge of this court not on
    the panel: the page and a refund posted to it answer 404; nothing changes."""
    user = request.getfixturevalue(who)
    enrol_totp(user)
    client.force_login(user)
    url = reverse("case_account", args=[loan_case.pk])
    assert client.get(url).status_code == 404
    before = (Refund.objects.count(), Entry.objects.count())
    posted = client.post(url, {"order": refunded_case.number, "amount": "1", "reason": "halved"})
    assert posted.status_code == 404
    assert (Refund.objects.count(), Entry.objects.count()) == before
    with pytest.raises(NotFound):
        policies.require_see_case_account(actor_for(user), loan_case.pk)
    with pytest.raises(NotFound):
        actions.refund_request(
            order=refunded_case, amount="1", reason="halved", actor=actor_for(user)
        )


def test_a_clerk_orders_a_refund_from_the_case_account(
    client, paid, loan_case, clerk_zhao, django_capture_on_commit_callbacks
):
    enrol_totp(clerk_zhao)
    client.force_login(clerk_zhao)
    url = reverse("case_account", args=[loan_case.pk])
    assert "¥1050.00" in client.get(url).content.decode().replace(",", "")
    client.post(url, {"order": paid.number, "amount": "2000", "reason": "halved"})
    assert not Refund.objects.exists()  # more than was paid: refused, nothing stored
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"order": paid.number, "amount": "525", "reason": "halved"})
    assert Refund.objects.get().amount == Decimal("525.00")
    requested = Entry.objects.get(code=LedgerEvent.REFUND_REQUESTED)
    assert requested.actor_role == "clerk" and requested.case_id == loan_case.pk


def test_the_panel_mediator_sees_the_account_but_orders_no_refund(
    paid, loan_case, court_haishu, officer_li
):
    from microcourt.cases import actions as case_actions
    from microcourt.courts.tests.factories import StaffFactory

    mediator = StaffFactory(court=court_haishu, role="mediator").user
    case_actions.participant_add(
        case=loan_case,
        actor=officer_li,
        role="mediator",
        user=mediator,
        display_name="调解员",
    )
    policies.require_see_case_account(actor_for(mediator), loan_case.pk)
    with pytest.raises(Forbidden):
        actions.refund_request(order=paid, amount="1", reason="halved", actor=actor_for(mediator))
    assert not Refund.objects.exists()
