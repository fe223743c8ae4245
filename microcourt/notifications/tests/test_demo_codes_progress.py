"""Issue 15 (progress): on the demo, the SMS with a log-in code is sent in the background; the
page that shows this browser its code says the message is on its way and checks again by
itself until it is there, instead of asking the newcomer to wait and refresh."""

import re

import pytest

from microcourt.notifications.models import Channel, Notification

# Transactional: the outbox queues delivery on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

REQUEST_CODE = "/accounts/login/code/"
DEMO_CODES = "/notifications/demo-codes/"
POLL = f'hx-get="{DEMO_CODES}?partial=codes" hx-trigger="every 2s" hx-swap="outerHTML"'
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    settings.DEBUG = True
    return settings


def test_the_code_page_waits_for_the_sms_and_shows_the_code_when_it_is_sent(
    demo, client, run_tasks, plaintiff_zhang
):
    client.get(REQUEST_CODE)
    assert client.post(REQUEST_CODE, {"phone": "13811112222"}).status_code == 302

    waiting = client.get(DEMO_CODES).content.decode()
    assert POLL in waiting
    assert "短信正在后台发送" in waiting and "weui-loading" in waiting
    assert "刷新本页" not in waiting and "再刷新" not in waiting

    run_tasks()  # the local SMS gateway records the message
    (row,) = [r for r in Notification.objects.filter(channel=Channel.SMS) if r.address]
    code = re.search(r"验证码 (\d{6})", row.body).group(1)
    sent = client.get(DEMO_CODES, {"partial": "codes"}, **HTMX)
    fragment = sent.content.decode()
    assert code in fragment and 'id="mc-demo-codes"' in fragment
    assert "hx-trigger" not in fragment and "<html" not in fragment
    assert sent["Cache-Control"] == "no-store"


def test_a_browser_that_asked_for_nothing_is_told_so_and_does_not_wait(demo, client):
    page = client.get(DEMO_CODES).content.decode()
    assert "还没有发给本浏览器的短信" in page
    assert "hx-trigger" not in page and "weui-loading" not in page
