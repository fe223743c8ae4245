"""The session's .ics (RFC 5545), parsed back: a stable UID, SEQUENCE bumped on each
revision, METHOD:CANCEL once cancelled, alarms the day before and 30 minutes before, times in
Asia/Shanghai with its VTIMEZONE; only for seat holders."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest

from microcourt.hearings.actions import scheduling

from .test_scheduling import consent, no_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(case, judge):
    consent(case, "张三", "王五")
    return scheduling.session_schedule(
        case=case, actor=judge, kind="hearing", starts_at=scheduling.first_allowed_start(case),
        duration_minutes=90,
    )  # fmt: skip


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _event(body: bytes):
    # Strict: CRLF line endings and lines folded at 75 octets (RFC 5545 §3.1).
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(body)
    [event] = cal.walk("VEVENT")
    return cal, event


def test_a_party_downloads_the_session_and_the_times_are_right(client, session, plaintiff_zhang):
    answer = _get(client, plaintiff_zhang, f"/hearings/{session.pk}/calendar.ics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    cal, event = _event(answer.content)
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["VERSION"]) == "2.0"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == session.starts_at and end == session.starts_at + dt.timedelta(minutes=90)
    assert start.tzinfo == zoneinfo.ZoneInfo("Asia/Shanghai")
    assert str(event["UID"]) == f"session-{session.pk}@127.0.0.1"
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert session.case.number in str(event["SUMMARY"])
    assert f"/hearings/{session.pk}/enter/" in str(event["URL"])
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in event.walk("VALARM"))
    assert triggers == [-dt.timedelta(days=1), -dt.timedelta(minutes=30)]


def test_rescheduling_keeps_the_uid_and_bumps_the_sequence_cancelling_sends_cancel(
    client, session, case, judge, plaintiff_zhang
):
    url = f"/hearings/{session.pk}/calendar.ics"
    _cal, first = _event(_get(client, plaintiff_zhang, url).content)
    later = scheduling.first_allowed_start(case, days=7, hour=14)
    scheduling.session_reschedule(session=session, actor=judge, starts_at=later, reason="改期")
    _cal, moved = _event(_get(client, plaintiff_zhang, url).content)
    assert str(moved["UID"]) == str(first["UID"])
    assert int(moved["SEQUENCE"]) == 1 and moved.decoded("DTSTART") == later
    scheduling.session_cancel(session=session, actor=judge, reason="双方和解")
    cal, gone = _event(_get(client, plaintiff_zhang, url).content)
    assert str(cal["METHOD"]) == "CANCEL" and str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) == 2 and str(gone["UID"]) == str(first["UID"])
    assert not gone.walk("VALARM")


def test_an_offline_seat_gets_the_courtroom_as_its_location(client, case, judge, defendant_wang):
    no_consent(case, "王五")
    session = scheduling.session_schedule(
        case=case, actor=judge, kind="hearing", starts_at=scheduling.first_allowed_start(case),
        venue="第三法庭", mode="mixed",
    )  # fmt: skip
    _cal, event = _event(
        _get(client, defendant_wang, f"/hearings/{session.pk}/calendar.ics").content
    )
    assert str(event["LOCATION"]) == "第三法庭"
    assert "URL" not in event


def test_the_api_gives_the_same_file_and_strangers_get_404(
    client, session, plaintiff_zhang, outsider
):
    api = f"/api/v1/sessions/{session.pk}/calendar.ics"
    answer = _get(client, plaintiff_zhang, api)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/calendar")
    _cal, event = _event(answer.content)
    assert event.decoded("DTSTART") == session.starts_at
    assert _get(client, outsider.user, api).status_code == 404
    assert _get(client, outsider.user, f"/hearings/{session.pk}/calendar.ics").status_code == 404
