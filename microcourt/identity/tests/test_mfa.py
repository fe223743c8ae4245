"""Court staff must use a second factor (TOTP or a security key, allauth MFA); the stricter
password rule for staff."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from microcourt.identity.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
TOTP_SETUP = "/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/accounts/reauthenticate/"


def enrol_totp(user) -> str:
    """What the set-up page does once the user has typed a first code."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_now(secret: str, *, steps_ago: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 - steps_ago))


def token(client, username, **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD, **extra},
        content_type="application/json",
    )


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, judge_chen):
    response = client.post(LOGIN, {"login": "judge_chen", "password": PASSWORD})
    assert response.status_code == 302

    response = client.get("/workbench/")
    assert response.status_code == 302 and response["Location"] == TOTP_SETUP
    for path in ("/", "/cases/", "/accounts/me/", "/admin/"):
        assert client.get(path)["Location"] == TOTP_SETUP, path

    # allauth asks for the password once more before an authenticator is added; the
    # page says why the detour, in Chinese.
    page = client.get(TOTP_SETUP, follow=True)
    assert page.redirect_chain[-1][0].startswith(REAUTHENTICATE)
    assert "为防止账号被冒用" in page.content.decode()

    # The session cannot be used for the JSON API either.
    response = client.get("/api/v1/me")
    assert response.status_code == 403 and response.json()["error"]["code"] == "mfa_required"
    # Log-out still works.
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_set_up_page_enrols_an_authenticator_app(client, judge_chen):
    client.post(LOGIN, {"login": "judge_chen", "password": PASSWORD})
    response = client.post(REAUTHENTICATE + "?next=" + TOTP_SETUP, {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == TOTP_SETUP
    page = client.get(TOTP_SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "开启身份验证器应用" in html and "data:image/svg+xml;base64," in html
    secret = page.context["form"].secret
    assert "issuer=%E5%BE%AE%E6%B3%95%E9%99%A2" in page.context["totp_url"]  # 微法院

    response = client.post(TOTP_SETUP, {"code": totp_now(secret)})
    assert response.status_code == 302
    stored = Authenticator.objects.get(user=judge_chen, type=Authenticator.Type.TOTP)
    assert secret not in str(stored.data)  # encrypted at rest like other personal data
    assert client.get("/workbench/").status_code == 200
    # Recovery codes came with it.
    assert Authenticator.objects.filter(
        user=judge_chen, type=Authenticator.Type.RECOVERY_CODES
    ).exists()


def test_staff_with_totp_are_asked_for_the_code_at_log_in(client, judge_chen):
    secret = enrol_totp(judge_chen)
    response = client.post(LOGIN, {"login": "judge_chen", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == MFA_AUTHENTICATE
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    page = client.get(MFA_AUTHENTICATE).content.decode()
    assert "两步验证" in page and "动态码" in page

    wrong = client.post(
        MFA_AUTHENTICATE, {"code": "000000" if totp_now(secret) != "000000" else "1"}
    )
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(MFA_AUTHENTICATE, {"code": totp_now(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(judge_chen.pk)
    assert client.get("/workbench/").status_code == 200


def test_staff_get_an_api_token_only_with_a_valid_code(client, judge_chen):
    assert token(client, "judge_chen").json()["error"]["code"] == "mfa_required"  # no TOTP
    assert token(client, "judge_chen", otp="123456").status_code == 403

    secret = enrol_totp(judge_chen)
    assert token(client, "judge_chen").status_code == 403  # code missing
    wrong = token(client, "judge_chen", otp=totp_now(secret, steps_ago=5))
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "mfa_required"

    code = totp_now(secret)
    response = token(client, "judge_chen", otp=code)
    assert response.status_code == 200 and response.json()["token"].startswith("mc_")
    assert token(client, "judge_chen", otp=code).status_code == 403  # a code works once


def test_demo_staff_are_let_off_only_in_demo_mode(client, settings, court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    demo = StaffFactory(court=court_haishu, role="judge", user__username="demo_judge").user
    real = StaffFactory(court=court_haishu, role="judge", user__username="real_judge").user

    client.force_login(demo)
    assert client.get("/workbench/").status_code == 302  # demo mode off: no exemption

    settings.DEMO_MODE = True
    assert client.get("/workbench/").status_code == 200
    assert "演示环境" in client.get("/accounts/2fa/").content.decode()  # the page says so
    client.force_login(real)
    assert client.get("/workbench/")["Location"] == TOTP_SETUP


def test_citizens_are_not_asked_for_a_second_factor(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    assert client.get("/cases/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200  # but may add one


def test_staff_cannot_switch_off_their_only_second_factor(judge_chen, plaintiff_zhang):
    from allauth.mfa.adapter import get_adapter

    enrol_totp(judge_chen)
    enrol_totp(plaintiff_zhang)
    adapter = get_adapter()
    staff_totp = Authenticator.objects.get(user=judge_chen, type="totp")
    assert not adapter.can_delete_authenticator(staff_totp)
    assert adapter.can_delete_authenticator(Authenticator.objects.get(user=plaintiff_zhang))


def test_staff_passwords_need_twelve_characters(judge_chen, plaintiff_zhang):
    eleven = "Fy7#kq2Lp9x"
    validate_password(eleven, plaintiff_zhang)  # the public: ten are enough
    with pytest.raises(ValidationError) as refused:
        validate_password(eleven, judge_chen)
    assert "12" in " ".join(refused.value.messages)
    validate_password(eleven + "Z", judge_chen)
    with pytest.raises(ValidationError):
        validate_password("Fy7#kq2Lp", plaintiff_zhang)  # nine: too short for anyone


def test_the_admin_log_in_form_is_no_way_round_the_second_factor(client, judge_chen):
    enrol_totp(judge_chen)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "judge_chen", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert "_auth_user_id" not in client.session


def test_platform_operators_need_a_second_factor_too(client, plaintiff_zhang):
    """An operator holds no court role but can change any account: staff rules apply."""
    from microcourt.identity.models import User

    operator = User.objects.create_user(username="operator_wu", password=PASSWORD)
    User.objects.filter(pk=operator.pk).update(is_superuser=True, is_staff=True)
    response = client.post(LOGIN, {"login": "operator_wu", "password": PASSWORD})
    assert response.status_code == 302
    for path in ("/admin/", "/accounts/me/"):
        assert client.get(path)["Location"] == TOTP_SETUP, path
