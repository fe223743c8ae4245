"""A payer in difficulty applies for relief from the order page; the court's filing officer
decides it on the workbench; the order then asks for the reduced amount. The desk shows and
decides only the applications of the officer's own court."""

from decimal import Decimal

import pytest
from django.urls import reverse

from microcourt.identity.tests.test_mfa import enrol_totp
from microcourt.ledger.models import Entry
from microcourt.payments import actions
from microcourt.payments.events import LedgerEvent
from microcourt.payments.models import ReliefApplication

from .helpers import fee_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(plaintiff_zhang, court_haishu, loan_case):
    return fee_order(plaintiff_zhang, court_haishu, case_id=loan_case.pk)


def test_reduction_applied_on_the_page_and_approved_on_the_workbench(client, order, officer_li):
    client.force_login(order.payer)
    page = client.get(reverse("pay:order", args=[order.number])).content.decode()
    assert "申请缓交、减交或免交" in page
    too_little = client.post(
        reverse("pay:relief", args=[order.number]),
        {"kind": "reduction", "percent": "20", "reason": "低保户"},
    )
    assert too_little.status_code == 400 and "30" in too_little.content.decode()
    client.post(
        reverse("pay:relief", args=[order.number]),
        {"kind": "reduction", "percent": "50", "reason": "领取最低生活保障金"},
    )
    application = ReliefApplication.objects.get()
    enrol_totp(officer_li.user)
    client.force_login(officer_li.user)
    assert "领取最低生活保障金" in client.get(reverse("workbench_relief")).content.decode()
    client.post(
        reverse("workbench_relief_decide", args=[application.pk]),
        {"decision": "approve", "reason": "符合减交条件"},
    )
    order.refresh_from_db()
    application.refresh_from_db()
    assert application.status == "approved" and order.amount == Decimal("525.00")


@pytest.mark.parametrize("who", ["officer_yinzhou", "admin_yinzhou"])
def test_another_courts_desk_neither_lists_nor_decides_it(request, client, order, who):
    """The attack from the other court's desk: the application is not in its list, and
    posting a decision to it answers 404 with nothing changed."""
    application = actions.relief_apply(
        applicant=order.payer, order=order, kind="exemption", reason="特困供养人员"
    )
    user = request.getfixturevalue(who)
    enrol_totp(user)
    client.force_login(user)
    queue = client.get(reverse("workbench_relief"))
    assert "特困供养人员" not in queue.content.decode()
    decided = client.post(
        reverse("workbench_relief_decide", args=[application.pk]),
        {"decision": "approve", "reason": "批准"},
    )
    assert decided.status_code == 404
    order.refresh_from_db()
    application.refresh_from_db()
    assert application.status == "pending" and order.status == "pending"
    assert not Entry.objects.filter(code=LedgerEvent.RELIEF_DECIDED).exists()


def test_the_panel_clerk_sees_the_desk_refuse_with_a_reason(client, order, clerk_zhao):
    application = actions.relief_apply(
        applicant=order.payer, order=order, kind="deferral", reason="工资尚未发放"
    )
    enrol_totp(clerk_zhao)
    client.force_login(clerk_zhao)
    assert client.get(reverse("workbench_relief")).status_code == 404  # decides nothing
    refused = client.post(
        reverse("workbench_relief_decide", args=[application.pk]),
        {"decision": "reject", "reason": "不符合条件"},
    )
    assert refused.status_code == 403
    application.refresh_from_db()
    assert application.status == "pending"


def test_citizens_do_not_see_the_relief_queue(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    assert client.get(reverse("workbench_relief")).status_code == 404


def test_relief_through_the_api(client, order):
    client.force_login(order.payer)
    csrf = client.get("/").cookies["csrftoken"].value
    response = client.post(
        f"/api/v1/payments/orders/{order.number}/relief",
        {"kind": "exemption", "reason": "特困供养人员"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 200 and response.json()["status"] == "pending"


def test_payee_account_through_the_api_needs_real_name(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    csrf = client.get("/").cookies["csrftoken"].value
    response = client.post(
        "/api/v1/payments/payee-account",
        {
            "bank_name": "中国工商银行",
            "account_number": "6222020200112233445",
            "account_name": "张三",
        },
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 400
    assert "verification" in response.json()["error"]["fields"]
