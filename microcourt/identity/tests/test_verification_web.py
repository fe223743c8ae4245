"""The verification steps through the API and the pages, the staff queue, key rotation."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from microcourt.assist.tests import cards, faces
from microcourt.identity.models import User, Verification
from microcourt.identity.tests.test_mfa import enrol_totp
from microcourt.identity.tests.test_verification import card_front

pytestmark = pytest.mark.django_db


def files():
    return {
        "id_front": io.BytesIO(card_front()),
        "selfie": io.BytesIO(faces.selfie()),
        "id_back": io.BytesIO(cards.render_id_card_back()),
    }


def named(data: dict) -> dict:
    for key, handle in data.items():
        handle.name = f"{key}.png"
    return data


def test_the_api_verifies_step_by_step(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    assert client.get("/api/v1/identity/verification").json()["level"] == "unverified"
    csrf = client.get("/").cookies["csrftoken"].value
    response = client.post(
        "/api/v1/identity/verifications/id-card-face",
        {"name": "张三", "id_number": cards.ZHANG_SAN_ID, **named(files())},
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "passed"
    assert client.get("/api/v1/identity/verification").json()["level"] == "verified"
    export = client.get("/api/v1/identity/me/data").json()
    assert export["identity"]["id_number"] == cards.ZHANG_SAN_ID


def test_api_errors_name_the_field_and_store_nothing(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    csrf = client.get("/").cookies["csrftoken"].value
    response = client.post(
        "/api/v1/identity/verifications/id-card-face",
        {"name": "张三", "id_number": "330203199001011234", **named(files())},
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 400
    assert "校验位" in response.json()["error"]["fields"]["id_number"]
    assert not Verification.objects.exists()


def test_the_verify_page_works_without_javascript(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    page = client.get("/accounts/verify/")
    assert page.status_code == 200 and 'capture="user"' in page.content.decode()
    data = named(files())
    response = client.post(
        "/accounts/verify/", {"name": "张三", "id_number": cards.ZHANG_SAN_ID, **data}
    )
    assert response.status_code == 302
    me = client.get("/accounts/me/").content.decode()
    assert "已实名认证" in me and "3302**********1236" in me and cards.ZHANG_SAN_ID not in me


def test_a_refused_attempt_shows_the_reason_on_the_page(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    data = named(
        {"id_front": io.BytesIO(card_front()), "selfie": io.BytesIO(faces.stranger_selfie())}
    )
    page = client.post(
        "/accounts/verify/", {"name": "张三", "id_number": cards.ZHANG_SAN_ID, **data}
    )
    assert page.status_code == 400
    assert "人脸比对未通过" in page.content.decode()
    assert "今天已失败 1 次" in page.content.decode()


def test_the_staff_queue_is_for_staff_only(client, plaintiff_zhang, clerk_zhao):
    client.force_login(plaintiff_zhang)
    assert client.get("/workbench/reviews/").status_code == 404
    image = io.BytesIO(cards.render_gradient_photo())
    image.name = "passport.png"
    client.post(
        "/accounts/verify/review/",
        {
            "id_type": "passport",
            "name": "John Smith",
            "id_number": "E12345678",
            "documents": [image],
        },
    )
    pending = Verification.objects.get(status="pending")
    enrol_totp(clerk_zhao)  # staff pages need a second factor
    client.force_login(clerk_zhao)
    assert "John Smith" in client.get("/workbench/reviews/").content.decode()
    client.post(f"/workbench/reviews/identity/{pending.pk}/", {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.status == "passed" and pending.reviewed_by == clerk_zhao


def test_pii_key_rotation_re_encrypts_every_row(plaintiff_zhang, judge_chen, settings):
    import base64
    import os

    from allauth.mfa.models import Authenticator

    from microcourt.core.crypto import decrypt

    secret = enrol_totp(judge_chen)

    old_version = settings.PII_KEY_VERSION
    new_key = os.urandom(32)
    settings.PII_KEYS = {**settings.PII_KEYS, "k2": new_key}
    settings.PII_KEY_VERSION = "k2"
    out = io.StringIO()
    call_command("pii", "rotate", stdout=out)
    assert "identity.User.phone: 1 re-encrypted" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM identity_user WHERE id = %s", [plaintiff_zhang.pk])
        assert cursor.fetchone()[0].startswith("k2:")
    settings.PII_KEYS = {"k2": new_key}  # the old key is gone: rows must still read
    assert User.objects.get(pk=plaintiff_zhang.pk).phone == "+8613811112222"
    stored = Authenticator.objects.get(user=judge_chen).data["secret"]
    assert stored.startswith("k2:") and decrypt(stored) == secret
    call_command("pii", "status", stdout=io.StringIO())
    assert old_version != "k2" and base64
