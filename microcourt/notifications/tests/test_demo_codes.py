"""Demo mode (issue 14): nobody reads other people's log-in codes, and a newcomer still finds
their own. The outbox page with every code sent is for staff only; the code-entry page links
to a page that shows the SMS this browser session asked for, and nothing else."""

import re

import pytest
from django.test import Client

from microcourt.notifications.models import Channel, Notification

# Transactional: the outbox queues delivery on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = "/accounts/signup/"
VERIFY_PHONE = "/accounts/phone/verify/"
REQUEST_CODE = "/accounts/login/code/"
CONFIRM_CODE = "/accounts/login/code/confirm/"
OUTBOX = "/notifications/outbox/"
DEMO_CODES = "/notifications/demo-codes/"


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    settings.DEBUG = True  # what the public demo runs with (settings.dev)
    return settings


def code_sent_to(e164: str) -> str:
    # The address column is encrypted (personal data): compare in Python.
    (row,) = [r for r in Notification.objects.filter(channel=Channel.SMS) if r.address == e164]
    return re.search(r"验证码 (\d{6})", row.body).group(1)


def test_a_newcomer_signing_up_on_the_demo_finds_their_code_and_only_theirs(
    demo, client, run_tasks
):
    response = client.post(SIGNUP, {"phone": "139 0000 1234"})
    assert response.status_code == 302 and response["Location"] == VERIFY_PHONE
    entry = client.get(VERIFY_PHONE).content.decode()
    # The code-entry page says where the code is: the console, and the link.
    assert "控制台" in entry and f'href="{DEMO_CODES}"' in entry
    run_tasks()  # the local SMS gateway records (and prints) the message
    code = code_sent_to("+8613900001234")

    mine = client.get(DEMO_CODES)
    assert mine.status_code == 200 and code in mine.content.decode()
    assert "139****1234" in mine.content.decode() and mine["Cache-Control"] == "no-store"

    # Another visitor, who asked for a code for another number, sees only theirs.
    stranger = Client()
    assert stranger.post(REQUEST_CODE, {"phone": "137 0000 9999"}).status_code == 302
    run_tasks()
    theirs = stranger.get(DEMO_CODES).content.decode()
    assert code not in theirs and "139****1234" not in theirs
    # … and cannot read everyone's codes on the outbox page either.
    assert stranger.get(OUTBOX).status_code == 404
    assert Client().get(OUTBOX).status_code == 404
    assert code not in Client().get(DEMO_CODES).content.decode()

    # The newcomer enters the code and is in.
    response = client.post(VERIFY_PHONE, {"code": code})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_demo_log_in_by_code_shows_the_code_to_the_browser_that_asked(
    demo, client, run_tasks, plaintiff_zhang
):
    client.get(REQUEST_CODE)
    assert client.post(REQUEST_CODE, {"phone": "13811112222"}).status_code == 302
    assert f'href="{DEMO_CODES}"' in client.get(CONFIRM_CODE).content.decode()
    run_tasks()
    code = code_sent_to("+8613811112222")
    assert code in client.get(DEMO_CODES).content.decode()
    # Someone else who knows the number but not the code gets nothing from the page.
    assert code not in Client().get(DEMO_CODES).content.decode()
    response = client.post(CONFIRM_CODE, {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(plaintiff_zhang.pk)


def test_outside_the_demo_there_is_no_code_page_and_no_hint(settings, client, run_tasks):
    settings.DEMO_MODE = False
    client.post(SIGNUP, {"phone": "139 0000 1234"})
    run_tasks()
    entry = client.get(VERIFY_PHONE).content.decode()
    assert DEMO_CODES not in entry
    assert client.get(DEMO_CODES).status_code == 404
    assert "demo_sms" not in client.session  # nothing recorded for it either
