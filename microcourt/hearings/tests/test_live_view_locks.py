"""A public viewer's heartbeat and leave while the database is locked (SQLite refuses a write
at once when another connection of a shared-cache database holds the table): retried, then a
503 the page waits out, or a leave left to expiry — never a 500, and nothing is lost."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.models.query import QuerySet
from django.utils import timezone

from microcourt.hearings.actions import live_views
from microcourt.hearings.models import LiveView

from .test_public_live import _fresh_cache, _public_today  # noqa: F401

API = "/api/v1"
pytestmark = pytest.mark.django_db
LOCKED = "database table is locked: hearings_liveview"


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch):
    monkeypatch.setattr("microcourt.core.jobs.time.sleep", lambda _seconds: None)


@pytest.fixture
def watching(case, judge):
    session = _public_today(case, judge)
    LiveView.objects.create(session=session, viewer="v" * 32, last_seen_at=timezone.now())
    return session


def _locked_for(monkeypatch, times: int):
    real = live_views._expire
    calls = {"n": 0}

    def expire(session):
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError(LOCKED)
        return real(session)

    monkeypatch.setattr(live_views, "_expire", expire)
    return calls


def test_a_heartbeat_outlasts_a_short_lock_and_renews_the_token(client, watching, monkeypatch):
    before = LiveView.objects.get(session=watching).last_seen_at
    calls = _locked_for(monkeypatch, times=2)
    response = client.post(
        f"{API}/live/sessions/{watching.pk}/heartbeat", {"viewer": "v" * 32}, "application/json"
    )
    assert response.status_code == 200, response.content
    assert calls["n"] == 3
    assert LiveView.objects.get(session=watching).last_seen_at > before


def test_a_heartbeat_under_a_lasting_lock_is_a_503_to_retry_and_changes_nothing(
    client, watching, monkeypatch
):
    before = LiveView.objects.get(session=watching).last_seen_at
    _locked_for(monkeypatch, times=100)
    response = client.post(
        f"{API}/live/sessions/{watching.pk}/heartbeat", {"viewer": "v" * 32}, "application/json"
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "busy"
    assert response["Retry-After"] == "5"
    # The viewer keeps watching: their row (and so their token) is still there, unchanged.
    assert LiveView.objects.get(session=watching).last_seen_at == before


def test_a_leave_under_a_lasting_lock_is_left_to_expiry_not_a_500(client, watching, monkeypatch):
    real_delete = QuerySet.delete

    def delete(self):
        if self.model is LiveView:
            raise OperationalError(LOCKED)
        return real_delete(self)

    monkeypatch.setattr(QuerySet, "delete", delete)
    response = client.post(
        f"{API}/live/sessions/{watching.pk}/leave", {"viewer": "v" * 32}, "application/json"
    )
    assert response.status_code == 204
    assert LiveView.objects.filter(session=watching).exists()  # the expiry revokes it later
