"""The fee notice (缴费单) as the payer meets it on a phone: back from paying it says so —
正在确认支付… while the provider's asynchronous notice is on its way, updating itself,
then 已缴费 — never 待缴费 with 去支付 right after 支付成功; and at 360 px its labels
keep their words whole (not "案件受理/费", one word a line)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from microcourt.core.actor import Actor
from microcourt.payments import actions
from microcourt.payments.models import OrderStatus
from microcourt.payments.providers.base import get_provider
from microcourt.payments.tests.test_orders import post_callback

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


def test_back_from_paying_the_notice_confirms_then_shows_paid(
    client, order, plaintiff_zhang, django_capture_on_commit_callbacks
):
    client.force_login(plaintiff_zhang)
    page = reverse("pay:order", args=[order.number])
    before = client.get(page).content.decode()
    assert "待缴费" in before and "去支付" in before

    # 去支付 → the sandbox's pay page → 支付成功 → back to the notice, before the
    # provider's notice has reached us (it is delivered by the worker, later).
    to_provider = client.post(reverse("pay:checkout", args=[order.number]), {"provider": "sandbox"})
    with django_capture_on_commit_callbacks(execute=False) as queued:
        back = client.post(to_provider["Location"], {"decision": "paid"})
    assert queued, "the provider's notice is on its way, not yet here"
    assert back.status_code == 302 and back["Location"].endswith(page)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING

    response = client.get(page)
    assert "no-cache" in response["Cache-Control"]  # never an old copy of the notice
    notice = response.content.decode()
    assert "正在确认支付…" in notice
    assert "待缴费" not in notice and "去支付" not in notice
    assert "申请缓交" not in notice  # nothing to apply for once it is paid
    poll = re.search(r'<div id="fee-notice"[^>]*>', notice).group(0)
    assert f'hx-get="{page}?partial=notice"' in poll and 'hx-trigger="every 2s"' in poll

    # The poll while the notice is on its way: still confirming, still polling.
    waiting = client.get(page + "?partial=notice", HTTP_HX_REQUEST="true").content.decode()
    assert "正在确认支付…" in waiting and 'hx-trigger="every 2s"' in waiting
    assert "<html" not in waiting

    # The provider's notice arrives; the next poll shows it paid and stops polling.
    sandbox = get_provider("sandbox")
    body = sandbox.callback_body(sandbox.query(order.number).raw)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_callback(client, body, sandbox.signed_headers(body.encode())).status_code == 200
    settled = client.get(page + "?partial=notice", HTTP_HX_REQUEST="true").content.decode()
    assert "已缴费" in settled and "下载电子缴费凭证" in settled
    assert "去支付" not in settled and "正在确认" not in settled and "hx-trigger" not in settled
    assert "已缴费" in client.get(page).content.decode()


def test_a_payment_that_failed_leaves_the_notice_payable(
    client, order, plaintiff_zhang, django_capture_on_commit_callbacks
):
    client.force_login(plaintiff_zhang)
    to_provider = client.post(reverse("pay:checkout", args=[order.number]), {"provider": "sandbox"})
    with django_capture_on_commit_callbacks(execute=False):
        client.post(to_provider["Location"], {"decision": "failed"})
    notice = client.get(reverse("pay:order", args=[order.number])).content.decode()
    assert "去支付" in notice and "正在确认支付…" not in notice and "hx-trigger" not in notice


def test_at_360px_the_labels_keep_their_words_whole(client, order, plaintiff_zhang):
    from tests.rendered import rendered

    client.force_login(plaintiff_zhang)
    path = reverse("pay:order", args=[order.number])
    html = client.get(path).content.decode()
    with rendered(html, path=path, width=360) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        lines = page.evaluate(
            """() => [...document.querySelectorAll('.mc-order .weui-form-preview__label')].map(
                l => [l.textContent.trim(), Math.round(l.getBoundingClientRect().height /
                      parseFloat(getComputedStyle(l).lineHeight))])"""
        )
    labels = dict(lines)
    assert labels["案件受理费"] == 1, lines  # not "案件受理/费"
    assert labels["缴费期限"] == 1 and labels["缴费单号"] == 1, lines
    assert all(n == 1 for n in labels.values()), lines


def test_in_the_browser_the_notice_updates_itself_once_the_payment_is_confirmed(
    client, order, plaintiff_zhang, django_capture_on_commit_callbacks
):
    """htmx polls while confirming; the page turns to 已缴费 without a reload, and stops."""
    from tests.rendered import rendered

    client.force_login(plaintiff_zhang)
    path = reverse("pay:order", args=[order.number])
    poll_url = path + "?partial=notice"
    to_provider = client.post(reverse("pay:checkout", args=[order.number]), {"provider": "sandbox"})
    with django_capture_on_commit_callbacks(execute=False):
        client.post(to_provider["Location"], {"decision": "paid"})
    # The server's answers at each moment, rendered before the browser opens (Django's
    # database is not reachable from inside Playwright's event loop): the page and a poll
    # while the provider's notice is on its way, then a poll once it has arrived.
    page_html = client.get(path).content.decode()
    confirming = client.get(poll_url, HTTP_HX_REQUEST="true").content.decode()
    sandbox = get_provider("sandbox")
    body = sandbox.callback_body(sandbox.query(order.number).raw)
    with django_capture_on_commit_callbacks(execute=True):
        post_callback(client, body, sandbox.signed_headers(body.encode()))
    settled = client.get(poll_url, HTTP_HX_REQUEST="true").content.decode()

    polls = []

    def answer(request):
        if "partial=notice" not in request.url:
            return None
        polls.append(request.headers.get("hx-request"))
        return confirming if len(polls) == 1 else settled  # the notice lands after poll 1

    with rendered(page_html, path=path, answer=answer) as page:
        assert page.get_by_text("正在确认支付…").is_visible()
        assert page.get_by_text("去支付").count() == 0
        page.get_by_text("已缴费", exact=True).wait_for(timeout=10000)
        assert polls[:2] == ["true", "true"]
        assert page.get_by_text("下载电子缴费凭证").is_visible()
        assert page.get_by_text("去支付").count() == 0
        assert page.get_by_text("正在确认支付…").count() == 0
        seen = len(polls)
        page.wait_for_timeout(2500)
        assert len(polls) == seen  # settled: the polling stopped


def test_while_confirming_the_provider_is_asked_once_per_ten_seconds(
    client, order, plaintiff_zhang, django_capture_on_commit_callbacks, monkeypatch
):
    from microcourt.payments.providers.sandbox import SandboxProvider

    client.force_login(plaintiff_zhang)
    page = reverse("pay:order", args=[order.number])
    to_provider = client.post(reverse("pay:checkout", args=[order.number]), {"provider": "sandbox"})
    with django_capture_on_commit_callbacks(execute=False):
        client.post(to_provider["Location"], {"decision": "paid"})
    asked = []
    real = SandboxProvider.query
    monkeypatch.setattr(
        SandboxProvider, "query", lambda self, number: asked.append(number) or real(self, number)
    )
    for _ in range(5):  # ten seconds of polling
        poll = client.get(page + "?partial=notice", HTTP_HX_REQUEST="true").content.decode()
        assert "正在确认支付…" in poll
    assert asked == [order.number]
