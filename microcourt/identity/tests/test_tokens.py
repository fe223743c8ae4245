"""A person sees the API tokens that can act as them and revokes any of them — on 我的 → API
令牌 and through the API — and a new password ends them all. Only a prefix is ever shown;
each revocation is in the ledger; nobody can revoke (or learn of) another person's token."""

import pytest
from django.test import Client

from microcourt.identity.events import LedgerEvent
from microcourt.identity.models import ApiToken
from microcourt.identity.tests.factories import PASSWORD
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db


def issue(client, username, name=""):
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD, "name": name},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def works(key) -> bool:
    """Whether a script holding ``key`` (and no session) gets in."""
    return Client().get("/api/v1/me", **bearer(key)).status_code == 200


def test_the_owner_lists_their_tokens_by_prefix_never_the_key(
    client, plaintiff_zhang, defendant_wang
):
    script = issue(client, "plaintiff_zhang", "对账脚本")
    issue(client, "plaintiff_zhang")
    issue(client, "defendant_wang", "王五的脚本")

    listed = client.get("/api/v1/identity/tokens", **bearer(script))
    assert listed.status_code == 200
    tokens = listed.json()
    assert len(tokens) == 2  # his own only
    mine = next(t for t in tokens if t["name"] == "对账脚本")
    assert mine["prefix"] == script[3:11] and script not in listed.content.decode()
    assert set(mine) == {"id", "prefix", "name", "created_at", "last_used_at", "expires_at"}


def test_the_owner_revokes_a_token_through_the_api_and_it_stops_working(client, plaintiff_zhang):
    keep = issue(client, "plaintiff_zhang", "keep")
    leaked = issue(client, "plaintiff_zhang", "leaked")
    leaked_id = ApiToken.objects.get(name="leaked").pk

    response = client.delete(f"/api/v1/identity/tokens/{leaked_id}", **bearer(keep))
    assert response.status_code == 204
    assert not works(leaked)
    assert works(keep)
    assert [t["name"] for t in client.get("/api/v1/identity/tokens", **bearer(keep)).json()] == [
        "keep"
    ]
    entry = Entry.objects.get(code=LedgerEvent.API_TOKEN_REVOKED)
    assert entry.actor_user_id == plaintiff_zhang.pk
    assert entry.details == {"token_id": leaked_id, "reason": "owner"}
    # Twice: it is gone.
    again = client.delete(f"/api/v1/identity/tokens/{leaked_id}", **bearer(keep))
    assert again.status_code == 404


def test_an_outsider_can_neither_revoke_nor_see_anothers_token(
    client, plaintiff_zhang, defendant_wang
):
    zhang_key = issue(client, "plaintiff_zhang")
    wang_key = issue(client, "defendant_wang")
    zhang_token = ApiToken.objects.get(user=plaintiff_zhang)

    response = client.delete(f"/api/v1/identity/tokens/{zhang_token.pk}", **bearer(wang_key))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    client.force_login(defendant_wang)
    page = client.post(f"/accounts/me/tokens/{zhang_token.pk}/revoke/")
    assert page.status_code == 404
    assert works(zhang_key)
    assert not Entry.objects.filter(code=LedgerEvent.API_TOKEN_REVOKED).exists()


def test_the_tokens_page_lists_and_revokes(client, plaintiff_zhang):
    key = issue(client, "plaintiff_zhang", "对账脚本")
    token = ApiToken.objects.get(user=plaintiff_zhang)
    client.force_login(plaintiff_zhang)

    me = client.get("/accounts/me/").content.decode()
    assert 'href="/accounts/me/tokens/"' in me
    page = client.get("/accounts/me/tokens/").content.decode()
    assert "对账脚本" in page and f"mc_{token.prefix}…" in page and key not in page

    response = client.post(f"/accounts/me/tokens/{token.pk}/revoke/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"已撤销令牌 {token.prefix}…" in html and "没有可用的 API 令牌" in html
    assert not works(key)
    assert Entry.objects.filter(code=LedgerEvent.API_TOKEN_REVOKED).count() == 1
    assert client.get(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 405


def test_a_password_change_revokes_every_token(client, plaintiff_zhang):
    old = [issue(client, "plaintiff_zhang") for _ in range(2)]
    client.force_login(plaintiff_zhang)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    for key in old:
        assert not works(key)
    entries = Entry.objects.filter(code=LedgerEvent.API_TOKEN_REVOKED)
    assert [e.details["reason"] for e in entries] == ["password_changed"] * 2
    # A token made with the new password works.
    fresh = client.post(
        "/api/v1/auth/token",
        {"username": "plaintiff_zhang", "password": "a-new-long-passphrase"},
        content_type="application/json",
    ).json()["token"]
    assert works(fresh)


def test_a_password_reset_or_an_administrators_new_password_revokes_them_too(
    plaintiff_zhang, client
):
    key = issue(client, "plaintiff_zhang")
    plaintiff_zhang.set_password("reset-by-the-help-desk")
    plaintiff_zhang.save()
    assert not works(key)


def test_a_hash_upgraded_at_log_in_is_no_new_password(client, plaintiff_zhang, settings):
    key = issue(client, "plaintiff_zhang")
    # A stronger hasher becomes the default: the next log-in re-hashes the same password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    plaintiff_zhang.refresh_from_db()
    assert plaintiff_zhang.check_password(PASSWORD)
    plaintiff_zhang.refresh_from_db()
    assert plaintiff_zhang.password.startswith("pbkdf2_")
    assert works(key)
