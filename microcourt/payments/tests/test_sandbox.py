"""The built-in sandbox provider end to end: its hosted pay page, the signed asynchronous
callback a task delivers to a merchant server on 127.0.0.1, duplicates, delays, retries,
simulated failures, and the provider-side record that query and refund use."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from microcourt.payments.providers import sandbox, testing
from microcourt.payments.providers.base import (
    CallbackRejected,
    OrderRequest,
    ProviderError,
    get_provider,
)

SANDBOX = "microcourt.payments.providers.sandbox.SandboxProvider"
RETURN_URL = "http://testserver/payments/orders/MC202611230000000003/"


@pytest.fixture(autouse=True)
def sandbox_settings(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.PAYMENT_SANDBOX_SECRET = "sandbox-secret-for-tests"
    settings.PAYMENT_PROVIDERS = {"sandbox": {"BACKEND": SANDBOX}}
    return settings


def configure(settings, **options):
    settings.PAYMENT_PROVIDERS = {
        "sandbox": {"BACKEND": SANDBOX, **options},
        "sandbox2": {"BACKEND": SANDBOX},
    }
    return get_provider("sandbox")


class Merchant:
    """Our callback endpoint as the sandbox sees it: answers what the provider expects."""

    def __init__(self, status=None):
        self.status = status

    def __call__(self, seen):
        status, content_type, body = get_provider("sandbox").callback_response(self.status is None)
        return self.status or status, {"Content-Type": content_type}, body


@pytest.fixture
def merchant():
    with testing.LocalServer(Merchant()) as server:
        yield server


def order(notify_url: str, **extra) -> OrderRequest:
    values = {
        "out_trade_no": "MC202611230000000003",
        "amount": Decimal("1050.00"),
        "description": "案件受理费（2026）浙0203民初1号",
        "notify_url": notify_url,
        "return_url": RETURN_URL,
    }
    values.update(extra)
    return OrderRequest(**values)


def press(client, url, decision, capture):
    with capture(execute=True):
        return client.post(url, {"decision": decision})


# --------------------------------------------------------------------------- the pay page


def test_paying_sends_a_signed_callback_asynchronously(
    db, client, merchant, run_tasks, django_capture_on_commit_callbacks
):
    provider = get_provider("sandbox")
    checkout = provider.create(order(merchant.url + "/payments/callback/sandbox/"))
    assert checkout.kind == "redirect"
    assert checkout.redirect_url.startswith("/payments/sandbox/pay/")

    page = client.get(checkout.redirect_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "沙箱支付 · 不会真实扣款" in text
    assert "¥1,050.00" in text and "案件受理费（2026）浙0203民初1号" in text
    for label in ("支付成功", "支付失败", "取消"):
        assert label in text

    answer = press(client, checkout.redirect_url, "paid", django_capture_on_commit_callbacks)
    assert answer.status_code == 302 and answer["Location"] == RETURN_URL
    assert DBTaskResult.objects.count() == 1
    assert merchant.requests == []  # not yet: the callback is asynchronous

    run_tasks()
    assert len(merchant.requests) == 1
    seen = merchant.requests[0]
    assert seen.method == "POST" and seen.path == "/payments/callback/sandbox/"
    event = provider.parse_callback(seen.headers, seen.body)
    assert event.status == "paid" and event.amount == Decimal("1050.00")
    assert event.out_trade_no == "MC202611230000000003"
    assert event.provider_trade_no.startswith("SBX")
    assert event.paid_at is not None and event.paid_at.tzinfo is not None
    assert DBTaskResult.objects.get().return_value == "delivered on attempt 1"

    result = provider.query("MC202611230000000003")
    assert result.status == "paid" and result.provider_trade_no == event.provider_trade_no
    assert result.amount == Decimal("1050.00") and result.paid_at == event.paid_at


def test_failed_and_cancelled_payments(
    db, client, merchant, run_tasks, django_capture_on_commit_callbacks
):
    provider = get_provider("sandbox")
    url = provider.create(order(merchant.url + "/cb/")).redirect_url
    press(client, url, "failed", django_capture_on_commit_callbacks)
    run_tasks()
    assert (
        provider.parse_callback(merchant.requests[-1].headers, merchant.requests[-1].body).status
        == "failed"
    )
    assert provider.query("MC202611230000000003").status == "failed"

    # A failed attempt may be followed by another; a cancelled order takes nothing more.
    press(client, url, "closed", django_capture_on_commit_callbacks)
    press(client, url, "paid", django_capture_on_commit_callbacks)
    run_tasks()
    statuses = [provider.parse_callback(s.headers, s.body).status for s in merchant.requests]
    assert statuses == ["failed", "closed", "closed"]
    assert provider.query("MC202611230000000003").status == "closed"
    assert "该订单已取消" in client.get(url).content.decode()


def test_tampered_and_expired_links_are_refused(db, client, merchant, settings):
    provider = get_provider("sandbox")
    url = provider.create(order(merchant.url + "/cb/")).redirect_url
    token = url.split("/")[-2]
    altered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    answer = client.get(f"/payments/sandbox/pay/{altered}/")
    assert answer.status_code == 400 and "支付链接无效" in answer.content.decode()
    assert client.post(f"/payments/sandbox/pay/{altered}/", {"decision": "paid"}).status_code == 400

    with mock.patch("django.core.signing.time.time", return_value=time.time() + 31 * 60):
        answer = client.get(url)
    assert answer.status_code == 400 and "已过期" in answer.content.decode()

    expired = provider.create(
        order(merchant.url + "/cb/", expires_at=timezone.now() - dt.timedelta(seconds=1))
    )
    assert client.get(expired.redirect_url).status_code == 400

    settings.PAYMENT_PROVIDERS = {"other": {"BACKEND": SANDBOX}}  # the link's provider is gone
    assert client.get(url).status_code == 400
    assert DBTaskResult.objects.count() == 0


def test_the_form_is_csrf_protected_and_needs_a_decision(db, merchant):
    url = get_provider("sandbox").create(order(merchant.url + "/cb/")).redirect_url
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"decision": "paid"}).status_code == 403
    assert Client().post(url, {"decision": "refund"}).status_code == 400
    assert DBTaskResult.objects.count() == 0


def test_without_a_return_url_the_page_says_what_happened(
    db, client, merchant, django_capture_on_commit_callbacks
):
    url = get_provider("sandbox").create(order(merchant.url + "/cb/", return_url="")).redirect_url
    answer = press(client, url, "paid", django_capture_on_commit_callbacks)
    assert answer.status_code == 200 and "该订单已支付" in answer.content.decode()


# ------------------------------------------------------------------ misbehaviour on purpose


def test_duplicate_callbacks(
    db, client, settings, merchant, run_tasks, django_capture_on_commit_callbacks
):
    provider = configure(settings, duplicate_callbacks=3)
    url = provider.create(order(merchant.url + "/cb/")).redirect_url
    press(client, url, "paid", django_capture_on_commit_callbacks)
    run_tasks()
    assert len(merchant.requests) == 3
    events = [provider.parse_callback(s.headers, s.body) for s in merchant.requests]
    assert {(e.out_trade_no, e.provider_trade_no, e.amount) for e in events} == {
        ("MC202611230000000003", events[0].provider_trade_no, Decimal("1050.00"))
    }
    assert len({s.headers["x-sandbox-nonce"] for s in merchant.requests}) == 3


def test_delayed_callbacks_wait_and_are_signed_when_sent(
    db, client, settings, merchant, run_tasks, django_capture_on_commit_callbacks
):
    provider = configure(settings, delay_seconds=120)
    url = provider.create(order(merchant.url + "/cb/")).redirect_url
    press(client, url, "paid", django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get()
    assert queued.run_after > timezone.now() + dt.timedelta(seconds=110)
    run_tasks()
    assert merchant.requests == []  # not due yet

    # Run it "two minutes later": the signature is made at sending time, so it is fresh.
    args = queued.args_kwargs["args"]
    assert sandbox.deliver_sandbox_callback.call(*args) == "delivered on attempt 1"
    seen = merchant.requests[0]
    assert abs(int(seen.headers["x-sandbox-timestamp"]) - time.time()) < 5
    assert provider.parse_callback(seen.headers, seen.body).status == "paid"


def test_a_merchant_that_does_not_answer_2xx_is_retried_later(
    db, client, settings, run_tasks, django_capture_on_commit_callbacks
):
    provider = configure(settings, retry_delays=[15])
    with testing.LocalServer(Merchant(status=500)) as down:
        url = provider.create(order(down.url + "/cb/")).redirect_url
        press(client, url, "paid", django_capture_on_commit_callbacks)
        run_tasks()
        assert len(down.requests) == 1
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.return_value == "attempt 1 failed: HTTP 500; retry in 15s"
    assert retry.args_kwargs["args"][3] == 2 and retry.run_after > timezone.now()
    # The last attempt gives up rather than retrying for ever.
    assert sandbox.deliver_sandbox_callback.call(*retry.args_kwargs["args"]).startswith("gave up")


def test_fail_rate(settings):
    provider = configure(settings, fail_rate="1")
    with pytest.raises(ProviderError) as caught:
        provider.create(order("http://127.0.0.1:9/cb/"))
    assert caught.value.code == "SANDBOX_SIMULATED_FAILURE" and caught.value.retryable

    provider = configure(settings, fail_rate="0.5")
    outcomes = []
    for _ in range(200):
        try:
            provider.create(order("http://127.0.0.1:9/cb/"))
            outcomes.append(True)
        except ProviderError:
            outcomes.append(False)
    assert 40 < sum(outcomes) < 160


def test_a_relative_notify_url_goes_to_the_public_address(
    db, client, settings, merchant, run_tasks, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = merchant.url
    url = get_provider("sandbox").create(order("/payments/callback/sandbox/")).redirect_url
    press(client, url, "paid", django_capture_on_commit_callbacks)
    run_tasks()
    assert merchant.requests[0].path == "/payments/callback/sandbox/"


# --------------------------------------------------------------------------- callbacks


def signed(provider, payload: dict, *, timestamp=None):
    body = json.dumps(payload).encode()
    headers = provider.signed_headers(body)
    if timestamp is not None:
        headers["X-Sandbox-Timestamp"] = str(timestamp)
        headers["X-Sandbox-Signature"] = sandbox.callback_signature(
            provider.secret, str(timestamp), headers["X-Sandbox-Nonce"], body
        )
    return headers, body


PAID = {
    "provider": "sandbox",
    "out_trade_no": "MC202611230000000003",
    "trade_no": "SBX1",
    "status": "paid",
    "amount": "1050.00",
    "paid_at": "2026-11-23T02:00:00+00:00",
}


def test_callback_verification(settings):
    provider = configure(settings)
    headers, body = signed(provider, PAID)
    assert provider.parse_callback(headers, body).amount == Decimal("1050.00")

    with pytest.raises(CallbackRejected, match="bad signature"):
        provider.parse_callback(headers, body.replace(b"1050.00", b"1.00"))
    bad = dict(headers, **{"X-Sandbox-Signature": "0" * 64})
    with pytest.raises(CallbackRejected, match="bad signature"):
        provider.parse_callback(bad, body)
    with pytest.raises(CallbackRejected, match="stale"):
        provider.parse_callback(*signed(provider, PAID, timestamp=int(time.time()) - 301))
    with pytest.raises(CallbackRejected, match="missing"):
        provider.parse_callback({}, body)
    with pytest.raises(CallbackRejected, match="another sandbox provider"):
        provider.parse_callback(*signed(provider, dict(PAID, provider="sandbox2")))
    with pytest.raises(CallbackRejected, match="malformed"):
        provider.parse_callback(*signed(provider, dict(PAID, amount="1050.001")))
    settings.PAYMENT_SANDBOX_SECRET = "another-secret"
    with pytest.raises(CallbackRejected, match="bad signature"):
        provider.parse_callback(headers, body)


# --------------------------------------------------------------------------- query, refund, record


def test_query_of_an_order_never_decided(settings):
    assert get_provider("sandbox").query("MC202611230000000003").status == "not_found"


def test_refunds_are_recorded_once_and_never_exceed_the_payment(
    db, client, merchant, django_capture_on_commit_callbacks
):
    provider = get_provider("sandbox")
    with pytest.raises(ProviderError, match="not paid"):
        provider.refund("MC202611230000000003", "RF1", Decimal("10.00"), Decimal("1050.00"))
    url = provider.create(order(merchant.url + "/cb/")).redirect_url
    press(client, url, "paid", django_capture_on_commit_callbacks)

    first = provider.refund("MC202611230000000003", "RF1", Decimal("525.00"), Decimal("1050.00"))
    assert first.status == "succeeded" and first.amount == Decimal("525.00")
    again = provider.refund("MC202611230000000003", "RF1", Decimal("525.00"), Decimal("1050.00"))
    assert again.provider_refund_no == first.provider_refund_no
    with pytest.raises(ProviderError, match=r"only 525\.00 left"):
        provider.refund("MC202611230000000003", "RF2", Decimal("525.01"), Decimal("1050.00"))
    provider.refund("MC202611230000000003", "RF2", Decimal("525.00"), Decimal("1050.00"))
    lines = provider.record_path.read_text().splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["payment", "refund", "refund"]


def test_a_hand_edited_record_is_reported_not_believed(
    db, client, merchant, django_capture_on_commit_callbacks
):
    provider = get_provider("sandbox")
    url = provider.create(order(merchant.url + "/cb/")).redirect_url
    press(client, url, "failed", django_capture_on_commit_callbacks)
    path = provider.record_path
    path.write_text(path.read_text().replace('"status":"failed"', '"status":"paid"'))
    with pytest.raises(ProviderError) as caught:
        provider.query("MC202611230000000003")
    assert caught.value.code == "RECORD_TAMPERED"


def test_a_torn_last_line_is_ignored(db, client, merchant, django_capture_on_commit_callbacks):
    provider = get_provider("sandbox")
    url = provider.create(order(merchant.url + "/cb/")).redirect_url
    press(client, url, "paid", django_capture_on_commit_callbacks)
    with provider.record_path.open("a") as file:
        file.write('{"kind":"payment","provider":"sandbox","out_tra')  # a crash mid-append
    assert provider.query("MC202611230000000003").status == "paid"
