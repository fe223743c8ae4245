"""The per-case court account: plaintiff Zhang is charged, pays and is refunded half after
mediation; clerk Zhao sees every movement; a citizen gets 404."""

from decimal import Decimal

import pytest
from django.urls import reverse

from microcourt.identity.tests.test_mfa import enrol_totp
from microcourt.payments import accounts, refunds
from microcourt.payments.models import AccountMovement

from .helpers import fee_order, pay_in_sandbox, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox_records(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def refunded_case(plaintiff_zhang, court_haishu, clerk_zhao):
    order = pay_in_sandbox(fee_order(plaintiff_zhang, court_haishu, amount="1050", case_id=42))
    refund = refunds.refund_request(
        order=order, amount="525", reason="halved", actor=staff(clerk_zhao)
    )
    refunds.refund_send(refund_id=refund.pk)
    fee_order(plaintiff_zhang, court_haishu, amount="99", case_id=43)  # another case
    return order


def test_charge_payment_and_refund_are_movements_with_a_balance(refunded_case):
    account = accounts.case_account(42)
    assert [(m.kind, m.amount) for m in account["movements"]] == [
        ("charge", Decimal("1050.00")),
        ("payment", Decimal("1050.00")),
        ("refund", Decimal("-525.00")),
    ]
    assert account["balance"] == Decimal("525.00")
    assert account["outstanding"] == Decimal("0.00")
    assert all(m.order_id == refunded_case.pk for m in account["movements"])


def test_movements_are_append_only(refunded_case):
    movement = AccountMovement.objects.first()
    movement.amount = Decimal("1")
    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        AccountMovement.objects.filter(case_id=42).update(amount=0)
    with pytest.raises(TypeError):
        AccountMovement.objects.filter(case_id=42).delete()


def test_the_account_page_is_for_court_staff_only(
    client, refunded_case, plaintiff_zhang, clerk_zhao
):
    url = reverse("case_account", args=[42])
    client.force_login(plaintiff_zhang)
    assert client.get(url).status_code == 404
    enrol_totp(clerk_zhao)  # staff pages need a second factor
    client.force_login(clerk_zhao)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert refunded_case.number in html and "525.00" in html and "-525.00" in html


def test_staff_of_another_court_do_not_see_the_account(client, refunded_case):
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    elsewhere = StaffFactory(court=CourtFactory(code="浙0212"), role="clerk").user
    enrol_totp(elsewhere)
    client.force_login(elsewhere)
    assert client.get(reverse("case_account", args=[42])).status_code == 404
