"""Input no field can hold is refused with a 4xx naming the field, in the person's language —
never a 500, on the pages and under /api/v1 — and nothing of it is stored (issue 14).

张三 files against 王五 through the API as a law firm's script would; his script, or an
attacker's, sends a 3 MB body, a lone surrogate, a NUL character, a 1 MB user name, a name
of zero-width spaces, a birth date in 2099 and the e-mail address ``a@b@c``."""

import json

import pytest
from django.test import Client

from microcourt.filing.models import FilingParty
from microcourt.filing.tests.conftest import _seeded, zhang  # noqa: F401 — fixtures
from microcourt.filing.tests.test_api import API, bearer

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
WANG = {
    "side": "respondent",
    "name": "王五",
    "phone": "139 3333 4444",
    "address": "浙江省宁波市鄞州区天童南路2号",
}


@pytest.fixture
def anyone():
    """A client that answers like the server does: a crash is a 500, not an exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def draft(anyone, zhang):  # noqa: F811
    firm = bearer(anyone, zhang.user.username)
    number = firm.post("/filing/filings", {}).json()["number"]
    return firm, f"/filing/filings/{number}/parties"


def error_of(response) -> dict:
    return response.json()["error"]


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


# --- size -----------------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_413_in_the_error_shape(anyone):
    body = json.dumps({"username": "x" * 3 * MB, "password": "x"})
    response = anyone.post(f"{API}/auth/token", body, content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert "2.5 MB" in error_of(response)["message"]


def test_a_form_over_the_limit_is_413_on_the_pages_too(anyone):
    form = anyone.post(
        "/accounts/login/",
        "login=" + "x" * 3 * MB + "&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 413
    # A multipart form whose text (not files) is over the limit: Django refuses it while the
    # body is parsed; that refusal, too, is a 413 in our words.
    multipart = anyone.post("/accounts/login/", {"login": "x" * 3 * MB, "password": "x"})
    assert multipart.status_code == 413
    assert "2.5 MB" in multipart.content.decode()


# --- characters no column can hold ------------------------------------------------------


@pytest.mark.parametrize(
    "raw, reason",
    [('"王\\ud800五"', "代理码位"), ('"王\\u0000五"', "空字符"), ('"\\udfff"', "代理码位")],
)
def test_a_lone_surrogate_or_a_nul_in_json_is_refused_by_name(draft, raw, reason):
    firm, parties = draft
    body = '{"side": "respondent", "name": ' + raw + ', "address": "宁波"}'
    response = firm.client.post(API + parties, body, content_type="application/json", **firm.auth)
    assert response.status_code == 400
    assert reason in error_of(response)["fields"]["name"]
    assert not FilingParty.objects.exists()


def test_a_nul_in_a_form_field_the_query_or_the_path_is_refused_by_name(anyone, draft):
    firm, _parties = draft
    assert error_of(anyone.get(f"{API}/courts", {"q": "海\x00曙"}))["fields"] == {
        "q": "不能包含空字符（U+0000）"
    }
    assert "path" in error_of(anyone.get(f"{API}/courts/浙\x000203"))["fields"]
    upload = firm.upload("/filing/filings/x/materials", kind="complaint\x00")
    assert upload.status_code == 400 and "kind" in error_of(upload)["fields"]
    page = anyone.post(
        "/accounts/login/",
        "login=a%00b&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert page.status_code == 400
    assert "login" in page.content.decode()


def test_refusals_speak_english_to_an_english_user(anyone):
    body = '{"username": "\\ud800", "password": "x"}'
    response = english(anyone).post(f"{API}/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    reason = error_of(response)["fields"]["username"]
    assert "surrogate" in reason.lower()


# --- overlong strings -------------------------------------------------------------------


def test_a_1_mb_user_name_is_refused_before_any_lookup(anyone):
    for size in (MB, 40_000):  # SQLite refuses LIKE patterns over 50,000 bytes
        body = json.dumps({"username": "x" * size, "password": "x"})
        response = anyone.post(f"{API}/auth/token", body, content_type="application/json")
        assert response.status_code == 400, size
        assert "username" in error_of(response)["fields"]
    refused = anyone.post("/accounts/login/", {"login": "x" * MB, "password": "x"})
    assert refused.status_code == 400
    assert "login：内容过长" in refused.content.decode()
    shown_again = anyone.post("/accounts/login/", {"login": "x" * 40_000, "password": "x"})
    assert shown_again.status_code == 200
    assert "不超过 254 字符" in shown_again.content.decode()  # Django's own words


# --- accepted before, but wrong ---------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("name", "\u200b\u200b\u200b", "请填写姓名或名称"),
        ("name", " \u200c\ufeff\u2060 ", "请填写姓名或名称"),
        ("birth_date", "2099-01-01", "不能晚于今天"),
        ("birth_date", "1899-12-31", "不能早于1900年"),
        ("email", "a@b@c", "电子邮箱格式不正确"),
        ("email", "wang@", "电子邮箱格式不正确"),
    ],
)
def test_a_party_that_cannot_be_real_is_refused_naming_the_field(draft, field, value, words):
    firm, parties = draft
    response = firm.post(parties, {**WANG, field: value})
    assert response.status_code == 400
    assert words in error_of(response)["fields"][field]
    assert not FilingParty.objects.exists()


def test_a_real_party_is_kept_without_the_invisible_edges(draft):
    firm, parties = draft
    response = firm.post(
        parties,
        {
            **WANG,
            "name": "\u200b王五\u200b",
            "birth_date": "1985-05-05",
            "email": "wang@example.cn",
        },
    )
    assert response.status_code == 201, response.json()
    party = FilingParty.objects.get()
    assert (party.name, party.email) == ("王五", "wang@example.cn")
