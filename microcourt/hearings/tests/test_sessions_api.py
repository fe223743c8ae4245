"""The pinned sessions API (issue 16 §9): a case's sessions, scheduling one, and who sees them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import SeatRole, Session
from microcourt.ledger.models import Entry

from .conftest import with_second_factor

API = "/api/v1"
pytestmark = pytest.mark.django_db


def _when(days=4, hour=9):
    from microcourt.core.selectors import national_calendar

    local = timezone.localtime() + dt.timedelta(days=days)
    # A working day: rest days are refused unless the court sits (actions/scheduling.py).
    day = national_calendar().next_working_day(local.date())
    local = local + dt.timedelta(days=(day - local.date()).days)
    return local.replace(hour=hour, minute=30, second=0, microsecond=0)


def test_the_judge_schedules_a_hearing_and_every_participant_sees_it(
    client, case, judge_chen, plaintiff_zhang, defendant_wang
):
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    starts = _when()
    made = client.post(
        f"{API}/cases/{case.pk}/sessions",
        {"kind": "hearing", "starts_at": starts.isoformat(), "duration_minutes": 90},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["kind"] == "hearing" and body["status"] == "scheduled"
    assert dt.datetime.fromisoformat(body["starts_at"]) == starts
    session = Session.objects.get(pk=body["id"])
    seats = {s.role: s.name for s in session.seats.all()}
    assert seats[SeatRole.PRESIDING_JUDGE] == "陈法官"
    assert seats[SeatRole.PLAINTIFF] == "张三" and seats[SeatRole.DEFENDANT] == "王五"
    assert Entry.objects.filter(case_id=case.pk, code=LedgerEvent.SCHEDULED).count() == 1

    for user in (plaintiff_zhang, defendant_wang):
        client.force_login(user)
        listed = client.get(f"{API}/cases/{case.pk}/sessions")
        assert listed.status_code == 200
        assert [(s["id"], s["kind"], s["status"]) for s in listed.json()] == [
            (session.pk, "hearing", "scheduled")
        ]


def test_a_party_may_not_schedule_and_an_outsider_sees_nothing(
    client, case, plaintiff_zhang, outsider
):
    client.force_login(plaintiff_zhang)
    refused = client.post(
        f"{API}/cases/{case.pk}/sessions",
        {"kind": "hearing", "starts_at": _when().isoformat(), "duration_minutes": 60},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert not Session.objects.exists()
    client.force_login(outsider.user)
    assert client.get(f"{API}/cases/{case.pk}/sessions").status_code == 404
    assert (
        client.post(
            f"{API}/cases/{case.pk}/sessions",
            {"kind": "hearing", "starts_at": _when().isoformat(), "duration_minutes": 60},
            content_type="application/json",
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "trial"}, "kind"),
        ({"starts_at": "2020-01-01T09:00:00+08:00"}, "starts_at"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"mode": "offline", "venue": ""}, "venue"),
    ],
)
def test_bad_input_names_the_field_and_schedules_nothing(client, case, judge_chen, payload, field):
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    body = {"kind": "hearing", "starts_at": _when().isoformat(), "duration_minutes": 60, **payload}
    answer = client.post(f"{API}/cases/{case.pk}/sessions", body, content_type="application/json")
    assert answer.status_code in (400, 422), answer.content
    assert field in str(answer.json()["error"].get("fields", {})), answer.json()
    assert not Session.objects.exists()


def test_a_stranger_gets_404_on_the_session_and_its_join(client, session, outsider):
    client.force_login(outsider.user)
    assert client.get(f"{API}/sessions/{session.pk}").status_code == 404
    assert client.post(f"{API}/sessions/{session.pk}/join").status_code == 404
    assert client.post(f"{API}/sessions/{session.pk}/open").status_code == 404


def test_only_the_presiding_judge_opens(client, session, clerk_zhao, plaintiff_zhang):
    with_second_factor(clerk_zhao)
    client.force_login(clerk_zhao)
    assert client.post(f"{API}/sessions/{session.pk}/open").status_code == 403
    client.force_login(plaintiff_zhang)
    assert client.post(f"{API}/sessions/{session.pk}/open").status_code == 403
    session.refresh_from_db()
    assert session.status == "scheduled"
