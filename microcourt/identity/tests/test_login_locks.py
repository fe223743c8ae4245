"""Guessing a password is slow whichever way the account is spelt and whichever door is used:
failures count against the ACCOUNT (phone number in any spelling, username, e-mail are one
lock, shared by the log-in page and the API token endpoint) and against the client's address
(30 failures in 15 minutes); the refusal says, in the user's language, when to come back."""

import re
import time

import pytest

from microcourt.identity import logins
from microcourt.identity.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
# One phone number as people type it: plain, international, spaced, full-width digits.
SPELLINGS = ["13811112222", "+8613811112222", "138 1111 2222", "１３８１１１１２２２２"]


def token(client, username, password=PASSWORD, ip="203.0.113.7", **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
        **extra,
    )


def test_every_spelling_of_a_phone_number_is_one_account():
    spellings = [
        *SPELLINGS,
        "＋８６ １３８-１１１１-２２２２",
        "138\u200b1111\u00a02222",
        "(138)1111.2222",
    ]
    assert {logins.normalise(s) for s in spellings} == {"+8613811112222"}
    assert logins.normalise(" Zhang@Example.COM ") == "zhang@example.com"
    assert logins.normalise("plaintiff_zhang") == "plaintiff_zhang"


def test_the_four_spellings_of_one_phone_share_one_lock(client, plaintiff_zhang):
    # Before, each spelling had its own counter: 5 more guesses each.
    for spelling in SPELLINGS:
        assert token(client, spelling, "wrong").status_code == 401, spelling
    assert token(client, "plaintiff_zhang", "wrong").status_code == 401  # the 5th failure
    for spelling in [*SPELLINGS, "plaintiff_zhang"]:
        locked = token(client, spelling)  # even the right password, for a while
        assert locked.status_code == 429, spelling
    body = locked.json()["error"]
    assert body["code"] == "too_many_attempts"
    # It says when: a clock time and the minutes left, and so does the header.
    assert re.search(r"请于 \d\d:\d\d 后再试（约 5 分钟）", body["message"]), body["message"]
    assert 0 < int(locked["Retry-After"]) <= 300


def test_the_log_in_page_and_the_token_endpoint_count_in_the_same_lock(client, plaintiff_zhang):
    for spelling in SPELLINGS[:3]:
        assert token(client, spelling, "wrong").status_code == 401
    for spelling in SPELLINGS[2:]:  # the page, with spellings the API also used
        page = client.post(
            LOGIN, {"login": spelling, "password": "wrong"}, REMOTE_ADDR="203.0.113.7"
        )
        assert "手机号/用户名或密码不正确" in page.content.decode()
    page = client.post(LOGIN, {"login": "１３８１１１１２２２２", "password": PASSWORD})
    assert "该账号已暂时锁定" in page.content.decode() and "_auth_user_id" not in client.session
    assert token(client, "13811112222").status_code == 429


def test_the_lock_ends_after_five_minutes_and_a_success_starts_the_count_again(
    client, plaintiff_zhang, monkeypatch
):
    for _ in range(5):
        token(client, "13811112222", "wrong")
    assert token(client, "13811112222").status_code == 429
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 301)  # the cache's clock too
    assert token(client, "13811112222").status_code == 200
    # Four wrong, then the right one: the count starts again, so four more are allowed.
    for _ in range(4):
        assert token(client, "13811112222", "wrong").status_code == 401
    assert token(client, "13811112222").status_code == 200
    for _ in range(4):
        assert token(client, "13811112222", "wrong").status_code == 401
    assert token(client, "13811112222").status_code == 200


def test_unknown_names_lock_too_so_the_answer_does_not_tell_whether_one_exists(client):
    for spelling in ["13900009999", "139 0000 9999", "+8613900009999", "１３９００００９９９９"]:
        assert token(client, spelling, "wrong").status_code == 401
    assert token(client, "139-0000-9999", "wrong").status_code == 401  # the 5th
    assert token(client, "(139)0000 9999", "whatever").status_code == 429


def test_one_address_gets_30_failures_in_15_minutes_whichever_accounts(client, plaintiff_zhang):
    for n in range(30):  # spread over many names: no one account locks
        assert token(client, f"guess{n}", "wrong").status_code == 401
    refused = token(client, "plaintiff_zhang")  # the right password, from that address
    assert refused.status_code == 429
    assert re.search(
        r"此网络登录失败次数过多，请于 \d\d:\d\d 后再试（约 15 分钟）",
        refused.json()["error"]["message"],
    )
    assert int(refused["Retry-After"]) > 300
    page = client.post(
        LOGIN, {"login": "plaintiff_zhang", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert (
        "此网络登录失败次数过多" in page.content.decode() and "_auth_user_id" not in client.session
    )
    # Someone else, elsewhere, is not affected.
    assert token(client, "plaintiff_zhang", ip="198.51.100.20").status_code == 200


def test_one_ipv6_client_is_one_address_across_its_own_block(client, plaintiff_zhang):
    for n in range(30):
        token(client, f"guess{n}", "wrong", ip=f"2001:db8:1:2::{n + 1:x}")
    assert token(client, "plaintiff_zhang", ip="2001:db8:1:2::ffff").status_code == 429
    assert token(client, "plaintiff_zhang", ip="2001:db8:9:9::1").status_code == 200


def test_wrong_sms_codes_count_against_the_address(client, plaintiff_zhang):
    for _ in range(30):
        logins.failed(key=None, ip="127.0.0.1")  # the test client's address
    client.post("/accounts/login/code/", {"phone": "13811112222"})
    response = client.post("/accounts/login/code/confirm/", {"code": "000000"})
    assert "此网络登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_email_log_in_is_case_blind_and_locks_the_account(client):
    UserFactory(username="lawyer_liu", email="Liu@Example.com")
    assert token(client, " LIU@example.COM ").status_code == 200
    for _ in range(5):
        token(client, "liu@example.com", "wrong")
    assert token(client, "lawyer_liu").status_code == 429
