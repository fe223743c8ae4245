"""Paying a court fee end to end with the sandbox provider: the order and its 7-day due
date, checkout, signed callbacks (duplicated, forged, out of order), reconciliation after a
crash between the provider's success and our commit, the receipt, and who may see what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.payments import actions
from microcourt.payments.events import LedgerEvent
from microcourt.payments.models import CallbackLog, OrderStatus, Payment, PaymentOrder
from microcourt.payments.providers.base import get_provider
from microcourt.payments.providers.sandbox import open_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox_records(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the sandbox's provider-side record lives here


@pytest.fixture
def order(plaintiff_zhang, court_haishu):
    return actions.order_create(
        payer=plaintiff_zhang,
        kind="acceptance",
        amount=Decimal("1050"),
        court=court_haishu,
        description="民间借贷纠纷 案件受理费",
        actor=Actor.system("fee notice"),
        breakdown=[{"label": "10,000元以下部分", "amount": "50.00"}],
        basis=["《诉讼费用交纳办法》第十三条第（一）项"],
        case_id=42,
    )


def sandbox_decides(order, decision="paid"):
    """What the payer's button press on the sandbox pay page does at the provider."""
    checkout = actions.order_checkout(
        order=order, actor=Actor.citizen(order.payer), provider="sandbox"
    )
    token = checkout.redirect_url.rstrip("/").rsplit("/", 1)[-1]
    provider = get_provider("sandbox")
    record = provider.decide(open_order(token), decision)
    body = provider.callback_body(record)
    return body, provider.signed_headers(body.encode())


def post_callback(client, body, headers):
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in headers.items()
        if k.lower() != "content-type"
    }
    return client.post(
        reverse("pay:callback", args=["sandbox"]), body, content_type="application/json", **extra
    )


def test_a_fee_notice_creates_an_order_due_in_seven_days(order, plaintiff_zhang):
    assert order.status == OrderStatus.PENDING and order.amount == Decimal("1050.00")
    assert dt.timedelta(days=7) <= order.due_date - order.created_at.date() <= dt.timedelta(days=15)
    assert Entry.objects.filter(code=LedgerEvent.ORDER_CREATED, case_id=42).exists()
    sms = Notification.objects.get(
        recipient=plaintiff_zhang, channel="sms", event="payments.order_created"
    )
    assert "壹仟零伍拾元整" in sms.body
    # Reminders wait for 09:00 (Beijing) the day before the last day and on it.
    reminders = Notification.objects.filter(event="payments.due_reminder", channel="sms")
    local = sorted(timezone.localtime(r.next_attempt_at) for r in reminders)
    assert [(t.date(), t.hour) for t in local] == [
        (order.due_date - dt.timedelta(days=1), 9),
        (order.due_date, 9),
    ]
    assert all(r.status == "pending" for r in reminders)


def test_paying_through_the_sandbox_settles_the_order_once(
    client, order, run_tasks, django_capture_on_commit_callbacks
):
    body, headers = sandbox_decides(order)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_callback(client, body, headers).status_code == 200
        # The provider notifies again: nothing more is counted.
        assert post_callback(client, body, headers).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.provider == "sandbox"
    assert Payment.objects.count() == 1
    assert Entry.objects.filter(code=LedgerEvent.ORDER_PAID).count() == 1
    assert list(CallbackLog.objects.values_list("outcome", flat=True)) == ["duplicate", "paid"]
    assert Notification.objects.filter(event="payments.paid").count() == 1
    # Paid: the deadline reminders are withdrawn, none will go out.
    reminders = Notification.objects.filter(event="payments.due_reminder")
    assert reminders.exists() and set(reminders.values_list("status", flat=True)) == {"cancelled"}
    run_tasks()  # the receipt is rendered in the background
    assert len(Payment.objects.get().receipt_sha256) == 64


def test_a_forged_callback_is_refused_and_kept(client, order):
    body, headers = sandbox_decides(order)
    forged = body.replace('"1050.00"', '"1.00"')
    assert post_callback(client, forged, headers).status_code >= 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and not Payment.objects.exists()
    log = CallbackLog.objects.get()
    assert log.outcome.startswith("rejected") and not log.verified and '"1.00"' in log.body
    assert Entry.objects.filter(code=LedgerEvent.CALLBACK_REJECTED).exists()


def test_a_failure_arriving_after_success_does_not_unpay(client, order):
    paid_body, paid_headers = sandbox_decides(order)
    post_callback(client, paid_body, paid_headers)
    provider = get_provider("sandbox")
    late = paid_body.replace('"status":"paid"', '"status":"failed"')
    post_callback(client, late, provider.signed_headers(late.encode()))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_failed_attempt_can_be_paid_again(client, order):
    body, headers = sandbox_decides(order, "failed")
    post_callback(client, body, headers)
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    checkout = actions.order_checkout(
        order=order, actor=Actor.citizen(order.payer), provider="sandbox"
    )
    order.refresh_from_db()
    assert checkout.redirect_url and order.status == OrderStatus.PENDING


def test_reconciliation_repairs_a_callback_that_never_arrived(order):
    sandbox_decides(order)  # the provider took the money; our side crashed before the callback
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    repaired = actions.reconcile(older_than=dt.timedelta(0))
    assert repaired == [order.number]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payment.source == "reconcile"
    assert actions.reconcile(older_than=dt.timedelta(0)) == []  # nothing twice
    assert Entry.objects.filter(code=LedgerEvent.RECONCILED).count() == 1


def test_only_the_payer_sees_and_pays_the_order(client, order, defendant_wang, plaintiff_zhang):
    client.force_login(defendant_wang)
    for name in ("pay:order", "pay:receipt"):
        assert client.get(reverse(name, args=[order.number])).status_code == 404
    assert client.post(reverse("pay:checkout", args=[order.number])).status_code == 404
    client.force_login(plaintiff_zhang)
    page = client.get(reverse("pay:order", args=[order.number])).content.decode()
    assert "壹仟零伍拾元整" in page and "第十三条" in page
    response = client.post(reverse("pay:checkout", args=[order.number]), {"provider": "sandbox"})
    assert response.status_code == 302 and "/payments/sandbox/" in response["Location"]


def test_the_receipt_pdf_names_the_payment_and_its_ledger_record(
    client, order, django_capture_on_commit_callbacks
):
    import io

    from pypdf import PdfReader

    body, headers = sandbox_decides(order)
    with django_capture_on_commit_callbacks(execute=True):  # the ledger integrates after commit
        post_callback(client, body, headers)
    client.force_login(order.payer)
    response = client.get(reverse("pay:receipt", args=[order.number]))
    pdf = b"".join(response.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = text.replace(" ", "")  # the title is letter-spaced
    assert "诉讼费用电子缴费凭证" in text and order.number in text and "1,050.00" in text
    assert "司法链存证#1" in text and "/ledger/receipts/1/" in text


def test_the_receipt_is_sealed_by_the_court_in_the_ledger_and_verifies(
    client, order, run_tasks, django_capture_on_commit_callbacks, settings
):
    """Anyone holding the receipt can check it without us: the court's e-seal with a
    trusted time-stamp, valid at the public verification page, and the file's own SHA-256
    is a ledger entry."""
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SIGNING_TSA_URL = ""  # the platform's own time-stamping authority
    body, headers = sandbox_decides(order)
    with django_capture_on_commit_callbacks(execute=True):
        post_callback(client, body, headers)
    run_tasks()  # the worker renders, seals, stores and records the receipt
    client.force_login(order.payer)
    pdf = b"".join(client.get(reverse("pay:receipt", args=[order.number])).streaming_content)
    sha256 = hashlib.sha256(pdf).hexdigest()
    assert Payment.objects.get().receipt_sha256 == sha256
    issued = Entry.objects.get(code=LedgerEvent.RECEIPT_ISSUED)
    assert issued.subject_digest == f"sha256:{sha256}" and issued.case_id == 42
    assert issued.details["order"] == order.number

    client.logout()  # the verification page needs no account
    page = client.post("/verify/pdf/", {"file": SimpleUploadedFile("receipt.pdf", pdf)})
    html = page.content.decode()
    assert page.status_code == 200 and "有效" in html and "无效" not in html
    assert "宁波市海曙区人民法院" in html and "电子印章" in html
    assert "可信时间戳有效" in html and "/ledger/receipts/" in html
    # A changed byte is caught.
    tampered = bytearray(pdf)
    start = tampered.index(b"stream\n") + 20
    tampered[start] ^= 0x01
    page = client.post("/verify/pdf/", {"file": SimpleUploadedFile("r.pdf", bytes(tampered))})
    assert "无效" in page.content.decode()
    # Rendering again (a second worker, a download racing the task) keeps the first.
    assert actions.receipt_store(order) == sha256
    assert Entry.objects.filter(code=LedgerEvent.RECEIPT_ISSUED).count() == 1


def test_an_amount_that_differs_from_the_order_is_not_accepted(client, order):
    body, _headers = sandbox_decides(order)
    provider = get_provider("sandbox")
    other = body.replace('"1050.00"', '"105.00"')
    post_callback(client, other, provider.signed_headers(other.encode()))
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and not Payment.objects.exists()
    assert "refused" in CallbackLog.objects.get().outcome
    assert PaymentOrder.objects.count() == 1
