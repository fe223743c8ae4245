"""A payer in difficulty applies for relief from the order page; a clerk decides it on the
workbench; the order then asks for the reduced amount."""

from decimal import Decimal

import pytest
from django.urls import reverse

from microcourt.core.actor import Actor
from microcourt.identity.tests.test_mfa import enrol_totp
from microcourt.payments import actions
from microcourt.payments.models import ReliefApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(plaintiff_zhang, court_haishu):
    return actions.order_create(
        payer=plaintiff_zhang,
        kind="acceptance",
        amount=Decimal("1050"),
        court=court_haishu,
        description="案件受理费",
        actor=Actor.system("fee notice"),
        case_id=7,
    )


def test_reduction_applied_on_the_page_and_approved_on_the_workbench(client, order, clerk_zhao):
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
    enrol_totp(clerk_zhao)
    client.force_login(clerk_zhao)
    assert "领取最低生活保障金" in client.get(reverse("workbench_relief")).content.decode()
    client.post(
        reverse("workbench_relief_decide", args=[application.pk]),
        {"decision": "approve", "reason": "符合减交条件"},
    )
    order.refresh_from_db()
    application.refresh_from_db()
    assert application.status == "approved" and order.amount == Decimal("525.00")


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


def test_a_clerk_orders_a_refund_from_the_case_account(
    client, order, clerk_zhao, django_capture_on_commit_callbacks
):
    from microcourt.payments.models import Refund
    from microcourt.payments.tests.test_orders import post_callback, sandbox_decides

    body, headers = sandbox_decides(order)
    with django_capture_on_commit_callbacks(execute=True):
        post_callback(client, body, headers)
    enrol_totp(clerk_zhao)
    client.force_login(clerk_zhao)
    url = reverse("case_account", args=[7])
    assert "¥1050.00" in client.get(url).content.decode().replace(",", "")
    client.post(url, {"order": order.number, "amount": "2000", "reason": "halved"})
    assert not Refund.objects.exists()  # more than was paid: refused, nothing stored
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"order": order.number, "amount": "525", "reason": "halved"})
    assert Refund.objects.get().amount == Decimal("525.00")


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
