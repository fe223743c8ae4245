"""Every operation of /api/v1 is fuzzed against the OpenAPI document we publish: whatever a
client sends, well-formed or not, it never gets a server error, and what it gets back is what
the document says. schemathesis runs in-process, a small fixed-seed run per operation (one
test each, so an endpoint is fuzzed from the day it lands and CI is reproducible); for a
longer hunt, run this file alone with ``MICROCOURT_FUZZ_EXAMPLES=200`` (and another
``MICROCOURT_FUZZ_SEED``).

And the document names each schema once: ninja keeps the last of two schemas with one name
without a word, so one module's schema would describe another's responses (it did for
``/ledger/verify`` and ``/notifications/{id}/read``)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from microcourt.identity.tests.factories import PASSWORD

EXAMPLES = int(os.environ.get("MICROCOURT_FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("MICROCOURT_FUZZ_SEED", "20261207"))

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        # Valid and invalid requests alike; no example database left behind.
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        # The coverage phase (each parameter's boundaries, wrong types, missing ones, methods
        # a path does not take), then generated requests. Not the stateful phase (request
        # chains): a long run's work.
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "operations": [
            # Its only input is the case, fixed below: one PDF render says all there is.
            {
                "include-path": "/api/v1/cases/{case_id}/space/export",
                "generation": {"max-examples": 1},
            }
        ],
    }
)

# The document exactly as clients get it, from the app in this process.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
).exclude(
    # Reading identity papers and complaints (auto-fill) and faces runs the OCR and face
    # models, seconds a request; the assist, identity and filing apps test them with real
    # pictures. Nothing else is left out: no endpoint reaches outside this process.
    path_regex=r"/(id-card|business-licence)/read$|/autofill/|/verifications/id-card-face$",
)


@schemathesis.check
def refusals_in_the_one_error_shape(ctx, response, case):
    """A 4xx, which the document does not describe, leaves in the one error shape."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "fields"}, body
        assert body["error"]["message"], body


# Not `status_code_conformance`: the document lists each operation's success only, and
# every operation answers 400/401/403/404 in the one error shape besides (checked above).
CHECKS = [not_a_server_error, response_schema_conformance, refusals_in_the_one_error_shape]


@pytest.fixture
def _connection_kept():
    """The WSGI application closes the database connection when a request ends (Django's
    ``close_old_connections``); in a test that is the test's own connection, inside its
    transaction (PostgreSQL then answers "the connection is closed"). Django's test client
    keeps it open the same way, and puts the receivers back after each of its own requests:
    so this comes after any fixture that uses the client."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def party(db, plaintiff_zhang, defendant_wang, clerk_zhao, court_haishu, client):
    """张三, verified at the court, plaintiff in a case against 王五 and with a draft filing,
    calling with an API token."""
    from microcourt.cases import actions as cases
    from microcourt.cases.models import CaseType
    from microcourt.core.actor import Actor
    from microcourt.identity import verification

    verification.verification_in_person(
        actor=Actor(user=clerk_zhao, role="clerk"),
        user=plaintiff_zhang,
        id_type="resident_id",
        name="张三",
        id_number="330203198801021235",
    )
    zhang = Actor.citizen(plaintiff_zhang)
    civil = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    case = cases.case_open(
        court=court_haishu,
        case_type=civil,
        title="张三诉王五民间借贷纠纷",
        cause="民间借贷纠纷",
        actor=zhang,
        amount_claimed="12000.50",
    )
    for role, user in (("plaintiff", plaintiff_zhang), ("defendant", defendant_wang)):
        cases.participant_add(
            case=case, actor=zhang, role=role, user=user, display_name=user.display_name
        )
    login = client.post(
        "/api/v1/auth/token",
        {"username": "plaintiff_zhang", "password": PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 200, login.content
    token = login.json()["token"]
    draft = client.post(
        "/api/v1/filing/filings",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert draft.status_code == 201, draft.content
    return {"token": token, "case_id": case.pk, "filing": draft.json()["number"]}


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error_or_an_answer_the_document_does_not_describe(
    case, party, _connection_kept
):
    # Into 张三's own case and draft, past "not found", where the handlers do their work.
    path = case.path_parameters or {}
    if "case_id" in path:
        path["case_id"] = party["case_id"]
    if "number" in path and case.path.startswith("/api/v1/filing/filings/"):
        path["number"] = party["filing"]
    case.call_and_validate(
        headers={
            "Authorization": f"Bearer {party['token']}",
            "Accept-Encoding": "identity",  # the in-process client does not unzip
        },
        checks=CHECKS,
    )


@pytest.mark.parametrize("path", ["/api/v1/courts", "/api/v1/notifications"])
@pytest.mark.parametrize(
    ("query", "field"),
    [("offset=5919703976705590138788833656832", "offset"), ("limit=10000000000000000000", "limit")],
)
def test_a_page_past_any_list_is_refused_by_name_not_a_server_error(
    client, plaintiff_zhang, path, query, field
):
    client.force_login(plaintiff_zhang)
    response = client.get(f"{path}?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][field].startswith("不能大于")


def schema_definitions(api) -> dict[str, list[dict]]:
    """Every definition ninja files under each component name while it writes ``api``'s
    document (it keeps the last one of a name)."""
    from ninja.openapi.schema import OpenAPISchema

    seen: dict[str, list[dict]] = {}
    original = OpenAPISchema.add_schema_definitions

    def spy(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            seen.setdefault(name, []).append(definition)
        original(self, definitions)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(OpenAPISchema, "add_schema_definitions", spy)
        api.get_openapi_schema()
    return seen


def test_no_two_schemas_share_a_name_in_the_document():
    from microcourt.api import api

    definitions = schema_definitions(api)
    shared = sorted(
        name for name, found in definitions.items() if any(d != found[0] for d in found)
    )
    assert not shared, f"different schemas published under one name: {shared}"
    # One of the two that collided: what marking a notice read answers, as published.
    document = api.get_openapi_schema()
    read = document["paths"]["/api/v1/notifications/{notification_id}/read"]["post"]
    ref = read["responses"][200]["content"]["application/json"]["schema"]["$ref"]
    published = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(published["properties"]) == {"unread"}


@pytest.mark.django_db
def test_a_method_a_path_does_not_take_is_refused_in_the_error_shape(client):
    response = client.generic("TRACE", "/api/v1/courts")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_an_id_that_is_not_a_number_is_refused_by_name_not_a_server_error(client, party):
    """Found by the run above: ``"authorisation": "-"`` reached the database as an id."""
    response = client.patch(
        f"/api/v1/filing/filings/{party['filing']}",
        {"authorisation": "-", "organisation": 1.5, "cause": "²"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {party['token']}",
    )
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {"authorisation", "organisation", "cause"}


def test_a_mention_that_is_not_a_user_id_is_left_out(client, party):
    response = client.post(
        f"/api/v1/cases/{party['case_id']}/space/messages",
        {"text": "请查收", "mentions": "², 9"},
        HTTP_AUTHORIZATION=f"Bearer {party['token']}",
    )
    assert response.status_code == 201, response.content
