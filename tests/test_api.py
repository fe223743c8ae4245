"""The one API: OpenAPI, docs, and the one JSON error shape everywhere under /api/v1/."""

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_spec_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/auth/token",
        "/api/v1/courts",
        "/api/v1/courts/{code}",
        "/api/v1/me",
        "/api/v1/notifications",
    } <= set(spec["paths"])
    assert client.get("/api/v1/docs").status_code == 200


def test_unknown_api_paths_answer_in_the_error_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_malformed_json_answers_400_in_the_error_shape(client):
    response = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_session_api_calls_need_the_csrf_token(plaintiff_zhang):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(plaintiff_zhang)
    assert strict.post("/api/v1/notifications/1/read").status_code in (401, 403)
