"""Sign-up and log-in by mobile number and SMS code (allauth), codes through the outbox;
rate limits on codes and passwords, lock-out, session rotation and idle time-out."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from microcourt.identity.models import User
from microcourt.identity.tests.factories import PASSWORD
from microcourt.notifications.models import Channel, Notification, Status

# Transactional: the outbox queues delivery on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = "/accounts/signup/"
VERIFY_PHONE = "/accounts/phone/verify/"
LOGIN = "/accounts/login/"
REQUEST_CODE = "/accounts/login/code/"
CONFIRM_CODE = "/accounts/login/code/confirm/"


def sms_to(e164: str) -> list[Notification]:
    # The address column is encrypted (personal data): compare in Python.
    rows = Notification.objects.filter(channel=Channel.SMS).order_by("pk")
    return [row for row in rows if row.address == e164]


def sms_rows() -> int:
    return Notification.objects.filter(channel=Channel.SMS).count()


def code_from(row: Notification) -> str:
    return re.search(r"验证码 (\d{6})", row.body).group(1)


def page(response) -> str:
    return response.content.decode()


def test_a_new_citizen_signs_up_with_only_a_phone_number(client, run_tasks):
    form = page(client.get(SIGNUP))
    assert "用手机号注册" in form and 'name="password1"' not in form

    response = client.post(SIGNUP, {"phone": "139 0000 1234"})
    assert response.status_code == 302 and response["Location"] == VERIFY_PHONE
    (sms,) = sms_to("+8613900001234")
    assert sms.event == "identity.sms_code"
    assert re.fullmatch(r"【微法院】验证码 \d{6}，5 分钟内有效，请勿告诉他人。", sms.body)
    run_tasks()
    sms.refresh_from_db()
    assert sms.status == Status.SENT and sms.provider_ref.startswith("local-")

    entry = page(client.get(VERIFY_PHONE))
    assert "139****1234" in entry and "13900001234" not in entry  # masked on screen
    response = client.post(VERIFY_PHONE, {"code": code_from(sms)})
    assert response.status_code == 302 and response["Location"] == "/"

    user = User.objects.get(phone_index__isnull=False, username__startswith="u")
    assert user.phone == "+8613900001234" and user.phone_verified
    assert not user.has_usable_password()  # a password can be set later
    assert client.session["_auth_user_id"] == str(user.pk)


def test_bad_numbers_are_refused_in_chinese_with_the_reason(client):
    for raw, reason in [("12345", "手机号码格式不正确"), ("0574 8888 8888", "固定电话")]:
        response = client.post(SIGNUP, {"phone": raw})
        assert response.status_code == 200
        assert reason in page(response), raw
    assert not User.objects.exists() and sms_rows() == 0


def test_a_second_sign_up_with_a_taken_number_creates_nothing_and_says_so_by_sms(
    client, plaintiff_zhang
):
    response = client.post(SIGNUP, {"phone": "+86 138 1111 2222"})
    assert response.status_code == 302  # the same answer as for a new number
    assert User.objects.count() == 1
    (sms,) = sms_to("+8613811112222")
    assert sms.event == "identity.sms_account_exists" and "已注册" in sms.body


def test_an_existing_citizen_logs_in_by_sms_code(client, plaintiff_zhang, run_tasks):
    assert "短信验证码登录" in page(client.get(LOGIN))
    client.get(REQUEST_CODE)
    before = client.session.session_key

    response = client.post(REQUEST_CODE, {"phone": "138-1111-2222"})
    assert response.status_code == 302 and response["Location"] == CONFIRM_CODE
    run_tasks()
    (sms,) = sms_to("+8613811112222")
    assert sms.status == Status.SENT
    assert "_auth_user_id" not in client.session  # not before the code

    response = client.post(CONFIRM_CODE, {"code": code_from(sms)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(plaintiff_zhang.pk)
    assert client.session.session_key != before  # rotated at log-in
    plaintiff_zhang.refresh_from_db()
    assert plaintiff_zhang.phone_verified  # the code proved the number


def test_wrong_codes_void_that_attempt(client, plaintiff_zhang):
    client.post(REQUEST_CODE, {"phone": "13811112222"})
    right = code_from(sms_to("+8613811112222")[0])
    wrong = "000000" if right != "000000" else "111111"

    for _ in range(2):
        response = client.post(CONFIRM_CODE, {"code": wrong})
        assert response.status_code == 200 and "验证码不正确" in page(response)
    response = client.post(CONFIRM_CODE, {"code": wrong}, follow=True)
    assert "错误次数过多" in page(response)

    response = client.post(CONFIRM_CODE, {"code": right})
    assert response.status_code == 302 and response["Location"] == REQUEST_CODE
    assert "_auth_user_id" not in client.session  # the right code no longer counts


def test_code_requests_beyond_the_limit_are_refused_and_send_nothing(client, plaintiff_zhang):
    assert client.post(REQUEST_CODE, {"phone": "13811112222"}).status_code == 302
    assert sms_rows() == 1

    # Again at once, from another browser and in another spelling: refused, in Chinese.
    response = Client().post(REQUEST_CODE, {"phone": "+86 138 1111 2222"})
    assert response.status_code == 200
    assert "获取验证码过于频繁" in page(response)
    assert sms_rows() == 1

    # "Resend" on the code page is limited by the same SMS quota.
    response = client.post(CONFIRM_CODE, {"action": "resend"}, follow=True)
    assert "验证码发送过于频繁" in page(response)
    assert sms_rows() == 1


def test_the_sms_quota_holds_across_flows(client, plaintiff_zhang, settings):
    """Whatever page asks (sign-up, log-in code, resend), one number gets at most the
    quota; here the per-hour figure is shrunk to two so the story stays short."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "request_login_code": "100/m/ip",
        "sms_code": "2/h/key",
    }
    client.post(REQUEST_CODE, {"phone": "13811112222"})
    client.post(CONFIRM_CODE, {"action": "resend"})
    assert sms_rows() == 2
    client.logout()
    response = client.post(REQUEST_CODE, {"phone": "13811112222"}, follow=True)
    assert "验证码发送过于频繁" in page(response)
    assert sms_rows() == 2


def test_an_unknown_number_learns_nothing_on_screen_and_gets_no_code(client):
    response = client.post(REQUEST_CODE, {"phone": "13700001111"})
    assert response.status_code == 302 and response["Location"] == CONFIRM_CODE
    (sms,) = sms_to("+8613700001111")
    assert sms.event == "identity.sms_unknown_account" and not re.search(r"\d{6}", sms.body)


def test_six_failed_passwords_lock_the_account_for_a_while(client, plaintiff_zhang, monkeypatch):
    # Every spelling of the account counts against the same lock.
    names = ["13811112222", "138 1111 2222", "+8613811112222", "plaintiff_zhang", "13811112222"]
    for name in names:
        response = client.post(LOGIN, {"login": name, "password": "wrong-password"})
        assert "手机号/用户名或密码不正确" in page(response), name

    response = client.post(LOGIN, {"login": "13811112222", "password": PASSWORD})
    assert response.status_code == 200
    assert "该账号已暂时锁定" in page(response)
    assert "_auth_user_id" not in client.session

    # Five minutes later the right password works again (the cache's clock moves too).
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 301)
    response = client.post(LOGIN, {"login": "plaintiff_zhang", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(plaintiff_zhang.pk)


def test_a_locked_account_can_still_log_in_by_sms_code(client, plaintiff_zhang):
    for _ in range(6):
        client.post(LOGIN, {"login": "plaintiff_zhang", "password": "wrong-password"})
    client.post(REQUEST_CODE, {"phone": "13811112222"})
    code = code_from(sms_to("+8613811112222")[0])
    assert client.post(CONFIRM_CODE, {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(plaintiff_zhang.pk)


def test_password_log_in_rotates_the_session_and_idles_out(client, plaintiff_zhang, settings):
    # The session is saved again at most this often (core.middleware.SessionRefreshMiddleware);
    # at 0 every request refreshes it, so the refresh is seen within the test.
    settings.SESSION_REFRESH_SECONDS = 0
    client.get(LOGIN)
    before = client.session.session_key
    client.post(LOGIN, {"login": "13811112222", "password": PASSWORD})
    key = client.session.session_key
    assert key != before

    first = Session.objects.get(session_key=key).expire_date
    time.sleep(0.01)
    client.get("/accounts/me/")
    later = Session.objects.get(session_key=key).expire_date
    assert later > first  # the time-out counts from the last request, not the log-in
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE

    Session.objects.filter(session_key=key).update(expire_date="2000-01-01T00:00:00Z")
    assert client.get("/accounts/me/").status_code == 302  # idle too long: logged out


def test_e_mail_is_an_alternative_way_in(client, plaintiff_zhang, run_tasks):
    plaintiff_zhang.email = "zhang@example.com"
    plaintiff_zhang.save(update_fields=["email"])

    response = client.post(LOGIN, {"login": "zhang@example.com", "password": PASSWORD})
    assert response.status_code == 302
    client.logout()

    response = client.post(REQUEST_CODE, {"email": "zhang@example.com"})
    assert response.status_code == 302
    (mail,) = Notification.objects.filter(channel=Channel.EMAIL)
    assert mail.address == "zhang@example.com"
    code = re.search(r"\b(\d{6})\b", mail.body).group(1)
    run_tasks()
    mail.refresh_from_db()
    assert mail.status == Status.SENT
    assert client.post(CONFIRM_CODE, {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(plaintiff_zhang.pk)


def test_the_account_pages_speak_chinese_and_fit_a_phone(client):
    for path, words in [
        (LOGIN, ["登录微法院", "手机号 / 用户名 / 电子邮箱", "用手机号注册"]),
        (SIGNUP, ["用手机号注册", "手机号码", "获取验证码"]),
        (REQUEST_CODE, ["短信验证码登录", "11 位手机号码"]),
    ]:
        html = page(client.get(path))
        for word in words:
            assert word in html, (path, word)
        assert "weui-cells_form" in html and 'name="viewport"' in html


def test_demo_mode_lists_the_demo_log_ins(client, settings):
    assert "demo_citizen" not in page(client.get(LOGIN))
    settings.DEMO_MODE = True
    html = page(client.get(LOGIN))
    assert "demo_citizen" in html and "demo_admin" in html and settings.DEMO_PASSWORD in html


def test_account_mails_say_our_text_with_allauths_link_in_the_accounts_language(
    client, plaintiff_zhang
):
    """allauth's mails leave as events whose words are the event table's (one source of
    text), filled with the link allauth made, in the account holder's language."""
    plaintiff_zhang.email = "zhang@example.com"
    plaintiff_zhang.preferred_language = "en"
    plaintiff_zhang.save(update_fields=["email", "preferred_language"])
    client.post("/accounts/password/reset/", {"email": "zhang@example.com"})
    (mail,) = Notification.objects.filter(channel=Channel.EMAIL)
    assert mail.event == "identity.password_reset_key" and mail.recipient == plaintiff_zhang
    assert mail.title == "[Microcourt] Reset your password"
    link = mail.params["password_reset_url"]
    assert "/accounts/password/reset/key/" in link and link in mail.body
    # An address nobody uses gets the "no account" notice, in the site's language.
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    stranger = Notification.objects.filter(channel=Channel.EMAIL).exclude(pk=mail.pk).get()
    assert stranger.event == "identity.unknown_account" and stranger.recipient is None
    assert stranger.title == "【微法院】该电子邮箱尚未注册"
