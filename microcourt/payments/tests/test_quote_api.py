"""POST /api/v1/fees/quote: issue 5's exact contract, public, and bad input named."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/api/v1/fees/quote"
MONEY = re.compile(r"^-?\d+\.\d{2}$")
HAN = re.compile(r"[\u4e00-\u9fff]")


def post(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def contract(**overrides) -> dict:
    body = {
        "kind": "acceptance",
        "category": "property",
        "amount": "50000",
        "procedure": "ordinary",
        "closure": None,
        "province": "浙",
    }
    return {**body, **overrides}


def test_the_exact_contract(client):
    response = post(client, contract())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"amount", "breakdown", "basis"}
    assert body["amount"] == "1050.00"
    assert body["breakdown"] == [
        {"label": "10,000元以下部分：每件50元", "amount": "50.00"},
        {"label": "10,000至50,000元部分 × 2.5%", "amount": "1000.00"},
    ]
    assert body["basis"] == ["《诉讼费用交纳办法》第十三条第（一）项"]


@pytest.mark.parametrize(
    "body, amount",
    [
        (contract(amount="100000"), "2300.00"),
        (contract(amount="500000", procedure="summary"), "4400.00"),
        (contract(amount="1000000", closure="mediation"), "6900.00"),
        (contract(amount="10000000", procedure="summary", closure="mediation"), "40900.00"),
        (contract(amount="100000", procedure="small_claims"), "1150.00"),
        (contract(category="divorce", amount=None), "300.00"),
        (contract(category="personality", amount=None), "400.00"),
        (contract(category="ip", amount=None), "900.00"),
        (contract(category="ip", amount="50000"), "1050.00"),
        (contract(category="labour", amount=None), "10.00"),
        (contract(category="administrative", amount=None), "50.00"),
        (contract(category="administrative", amount=None, administrative_kind="patent"), "100.00"),
        (contract(category="other", amount=None), "80.00"),
        (contract(category="other", amount=None, province="苏"), "50.00"),
        (contract(kind="enforcement", category=None, amount="500000"), "7400.00"),
        (contract(kind="enforcement", category=None, amount=None), "50.00"),
        (contract(kind="preservation", category=None, amount="2000000"), "5000.00"),
        (contract(kind="preservation", category=None, amount=None), "30.00"),
        (contract(kind="payment_order", category=None, amount="100000"), "766.67"),
        (contract(kind="public_notice", category=None, amount=None), "100.00"),
        (contract(kind="bankruptcy", category=None, amount="1000000000"), "300000.00"),
        (contract(amount=50000), "1050.00"),  # an integer is exact, so it is accepted
        (contract(amount="100000", counterclaim=True), "1150.00"),
        (contract(amount="100000", appeal=True), "2300.00"),
        ({"kind": "arbitration"}, "400.00"),
    ],
)
def test_every_kind_through_the_api(client, body, amount):
    response = post(client, body)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["amount"] == amount
    assert all(set(line) == {"label", "amount"} for line in data["breakdown"])
    assert all(MONEY.match(line["amount"]) for line in data["breakdown"])
    assert MONEY.match(data["amount"])
    assert data["basis"] and all(isinstance(b, str) and b for b in data["basis"])
    assert data["basis"][0].startswith("《诉讼费用交纳办法》第十")


def test_a_second_halving_is_refused_with_its_reason(client):
    data = post(client, contract(amount="100000", procedure="summary", closure="mediation")).json()
    assert data["amount"] == "1150.00"
    assert any(
        b.startswith("《最高人民法院关于适用") and "第二百零六条" in b for b in data["basis"]
    )


def test_the_calculator_is_public_and_needs_no_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, contract()).status_code == 200


def test_a_quote_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert post(client, contract()).status_code == 200
    with django_assert_num_queries(0):
        assert post(client, contract(amount="-1")).status_code == 400


@pytest.mark.parametrize(
    "body, field",
    [
        (contract(amount="-100"), "amount"),
        (contract(amount="abc"), "amount"),
        (contract(amount="1e20"), "amount"),
        (contract(amount="100.001"), "amount"),
        (contract(amount="NaN"), "amount"),
        (contract(amount=1050.5), "amount"),  # a float has already lost fen
        (contract(amount=1050.0), "amount"),
        (contract(amount=True), "amount"),
        (contract(amount=[1]), "amount"),
        (contract(amount=None), "amount"),  # a property case needs its amount
        (contract(kind="payment_order", amount=None), "amount"),
        (contract(kind="bankruptcy", amount=None), "amount"),
        (contract(kind="fine"), "kind"),
        ({"category": "property", "amount": "100"}, "kind"),
        (contract(kind=7), "kind"),
        (contract(category="tax"), "category"),
        (contract(category=None), "category"),
        (contract(procedure="express"), "procedure"),
        (contract(closure="judgment"), "closure"),
        (contract(province="Zhejiang"), "province"),
        (contract(kind="enforcement", procedure="summary"), "procedure"),
        (contract(kind="preservation", closure="mediation"), "closure"),
        (contract(counterclaim="yes"), "counterclaim"),
        (contract(category="administrative", administrative_kind="tax"), "administrative_kind"),
    ],
)
def test_bad_input_answers_400_in_the_one_error_shape_naming_the_field(client, body, field):
    response = post(client, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert HAN.search(error["fields"][field]), error  # in the user's language: Chinese
    assert HAN.search(error["message"])


def test_malformed_json_is_refused_in_the_error_shape(client):
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_english_callers_get_english_labels_basis_and_errors(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    data = post(client, contract(amount="100000", procedure="summary", closure="mediation")).json()
    text = json.dumps(data, ensure_ascii=False)
    assert not HAN.search(text), HAN.findall(text)
    assert data["amount"] == "1150.00"
    error = post(client, contract(amount="-1")).json()["error"]
    assert not HAN.search(json.dumps(error, ensure_ascii=False))


def test_the_endpoint_is_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/fees/quote"]["post"]
    assert operation.get("security") in (None, [], [{}]) or "security" not in operation
    schema = spec["components"]["schemas"]["QuoteIn"]
    assert {"kind", "category", "amount", "procedure", "closure", "province"} <= set(
        schema["properties"]
    )
    assert set(schema["properties"]["kind"]["enum"]) >= {
        "acceptance",
        "enforcement",
        "preservation",
        "payment_order",
        "public_notice",
        "bankruptcy",
    }
    assert set(spec["components"]["schemas"]["QuoteOut"]["properties"]) == {
        "amount",
        "breakdown",
        "basis",
    }
