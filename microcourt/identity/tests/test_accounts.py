"""Log-in by phone or username; API tokens; staff need a second factor outside demo mode."""

import pytest

from microcourt.identity.models import ApiToken, User
from microcourt.identity.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Log-in rate limits live in the cache; each story starts with none used."""
    from django.core.cache import cache

    cache.clear()


def token(client, username, password=PASSWORD):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_a_citizen_logs_in_with_the_phone_number_in_any_usual_spelling(client, plaintiff_zhang):
    for spelling in ("13811112222", "138 1111 2222", "+86 138-1111-2222"):
        client.logout()
        response = client.post("/accounts/login/", {"login": spelling, "password": PASSWORD})
        assert response.status_code == 302, spelling
        assert client.get("/accounts/me/").context["profile"]["username"] == "plaintiff_zhang"


def test_log_in_rotates_the_session_key(client, plaintiff_zhang):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"login": "plaintiff_zhang", "password": PASSWORD})
    assert client.session.session_key != before


def test_a_wrong_password_says_so_and_logs_nobody_in(client, plaintiff_zhang):
    response = client.post("/accounts/login/", {"login": "13811112222", "password": "nope"})
    assert response.status_code == 200
    assert "手机号/用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_profile_shows_the_phone_masked(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    page = client.get("/accounts/me/").content.decode()
    assert "138****2222" in page and "13811112222" not in page


def test_a_citizen_gets_a_bearer_token_that_authenticates_the_api(client, plaintiff_zhang):
    response = token(client, "13811112222")
    assert response.status_code == 200
    key = response.json()["token"]
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only the hash is stored
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.status_code == 200
    assert me.json()["username"] == "plaintiff_zhang" and me.json()["phone"] == "138****2222"


def test_bad_credentials_answer_401_in_the_one_error_shape(client, plaintiff_zhang):
    response = token(client, "plaintiff_zhang", "wrong")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_credentials"


def test_missing_fields_answer_400_naming_them(client):
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_a_revoked_or_unknown_token_is_refused(client, plaintiff_zhang):
    key = token(client, "plaintiff_zhang").json()["token"]
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer mc_forged").status_code == 401
    assert client.get("/api/v1/me").json()["error"]["code"] == "unauthenticated"


def test_court_staff_need_a_second_factor_for_tokens(client, judge_chen):
    response = token(client, "judge_chen")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_in_demo_mode_only_demo_staff_skip_the_second_factor(client, settings, court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    settings.DEMO_MODE = True
    StaffFactory(court=court_haishu, role="judge", user__username="demo_judge")
    StaffFactory(court=court_haishu, role="judge", user__username="real_judge")
    assert token(client, "demo_judge").status_code == 200
    assert token(client, "real_judge").status_code == 403


def test_bad_phone_numbers_are_refused_with_the_field():
    from microcourt.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        User.objects.create_user("x", PASSWORD, phone="12345")
    assert "phone" in caught.value.fields
    assert not User.objects.filter(username="x").exists()


def test_the_token_endpoint_locks_after_repeated_failures(client, plaintiff_zhang):
    for _ in range(5):
        assert token(client, "plaintiff_zhang", "wrong").status_code == 401
    locked = token(client, "plaintiff_zhang")  # even the right password, for a while
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
