"""Entering the room (issue 16 §2–3, §9, Bad input): the presiding judge opens, the court's
people enter at once, a party only after a fresh face check, the rules and the clerk's
admission; the token Janus gets works in that room only; a second device replaces the first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import AttendanceEvent, Seat
from microcourt.ledger.models import Entry
from tests.rtcbot import JanusRefused

from .conftest import age_checks, with_second_factor

API = "/api/v1"
UNAUTHORIZED_CORE = 403
UNAUTHORIZED_ROOM = 433
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_session(janus, case, judge, clerk, zhang, wang):
    """A hearing of the case, scheduled with due notice and now come to its start."""
    from microcourt.hearings.actions import scheduling
    from microcourt.hearings.models import Session

    session = scheduling.session_schedule(
        case=case, actor=judge, kind="hearing", starts_at=scheduling.first_allowed_start(case)
    )
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    return Session.objects.get(pk=session.pk)


def _post(client, url, **kw):
    return client.post(url, content_type="application/json", **kw)


def test_the_judge_opens_the_clerk_enters_at_once_and_a_party_after_the_checks(
    client, janus, live_session, judge_chen, clerk_zhao, plaintiff_zhang
):
    s = live_session
    # The clerk may enter before the opening, to prepare the room.
    client.force_login(clerk_zhao)
    early = _post(client, f"{API}/sessions/{s.pk}/join")
    assert early.status_code == 200, early.content
    assert early.json()["seat"] == "clerk" and early.json()["display"] == "书记员 赵书记员"

    client.force_login(judge_chen)
    opened = _post(client, f"{API}/sessions/{s.pk}/open")
    assert opened.status_code == 200, opened.content
    assert opened.json()["status"] == "open"
    s.refresh_from_db()
    assert janus.client.room_exists(s.room)
    judge_join = _post(client, f"{API}/sessions/{s.pk}/join").json()
    assert judge_join["seat"] == "presiding_judge" and judge_join["room"] == s.room
    assert judge_join["janus_url"] == janus.ws_url

    # 张三: his identity check is two hours old (在线诉讼规则第七条: checked again before).
    client.force_login(plaintiff_zhang)
    age_checks(plaintiff_zhang, dt.timedelta(hours=2))
    stale = _post(client, f"{API}/sessions/{s.pk}/join")
    assert stale.status_code == 403
    assert stale.json()["error"]["code"] == "verification_required"
    from microcourt.hearings.tests.conftest import ZHANG_ID, verify_in_person

    verify_in_person(plaintiff_zhang, clerk_zhao, "张三", ZHANG_ID)
    no_rules = _post(client, f"{API}/sessions/{s.pk}/join")
    assert no_rules.status_code == 403 and "纪律" in no_rules.json()["error"]["message"]
    assert _post(client, f"{API}/sessions/{s.pk}/rules").status_code == 200
    not_admitted = _post(client, f"{API}/sessions/{s.pk}/join")
    assert not_admitted.status_code == 409, not_admitted.content
    waiting = _post(client, f"{API}/sessions/{s.pk}/wait")
    assert waiting.status_code == 200
    seat = Seat.objects.get(session=s, user=plaintiff_zhang)
    assert seat.status == "waiting"

    client.force_login(clerk_zhao)
    admitted = _post(client, f"{API}/sessions/{s.pk}/seats/{seat.pk}/admit")
    assert admitted.status_code == 200, admitted.content
    client.force_login(plaintiff_zhang)
    mine = _post(client, f"{API}/sessions/{s.pk}/join?device=phone")
    assert mine.status_code == 200, mine.content
    token = mine.json()["token"]
    assert mine.json()["display"] == "原告 张三" and mine.json()["seat"] == "plaintiff"

    # Janus itself takes the token in this room, and refuses it in another.
    other = janus.new_room()

    async def scenario():
        bot = janus.bot(room=s.room, token=token, display=mine.json()["display"])
        await bot.connect()
        await bot.join()
        assert bot.feed_id
        await bot.hangup()
        stray = janus.bot(room=other.room, token=token)
        await stray.connect()
        with pytest.raises(JanusRefused) as refused:
            await stray.join()
        assert refused.value.code == UNAUTHORIZED_ROOM
        await stray.hangup()

    janus.run(scenario())
    assert Entry.objects.filter(case_id=s.case_id, code=LedgerEvent.OPENED).count() == 1
    assert Entry.objects.filter(case_id=s.case_id, code=LedgerEvent.ADMITTED).count() == 1
    kinds = list(AttendanceEvent.objects.filter(seat=seat).values_list("kind", flat=True))
    assert kinds[:2] == ["waiting", "admitted"]
    janus.client.destroy_room(other.room, secret=other.secret)


def test_a_second_device_replaces_the_first_whose_token_stops_working(
    client, janus, live_session, judge_chen, plaintiff_zhang, zhang
):
    s = live_session
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    assert _post(client, f"{API}/sessions/{s.pk}/open").status_code == 200
    seat = Seat.objects.get(session=s, user=plaintiff_zhang)
    Seat.objects.filter(pk=seat.pk).update(rules_acknowledged_at=timezone.now(), status="admitted")
    client.force_login(plaintiff_zhang)
    first = _post(client, f"{API}/sessions/{s.pk}/join?device=phone").json()["token"]
    second = _post(client, f"{API}/sessions/{s.pk}/join?device=laptop").json()["token"]
    assert first != second
    s.refresh_from_db()

    async def scenario():
        old = janus.bot(room=s.room, token=first)
        with pytest.raises(JanusRefused) as refused:
            await old.connect()
        assert refused.value.code == UNAUTHORIZED_CORE
        await old.close(quiet=True)
        new = janus.bot(room=s.room, token=second)
        await new.connect()
        await new.join()
        await new.hangup()

    janus.run(scenario())
    replaced = AttendanceEvent.objects.get(seat=seat, kind="replaced")
    assert replaced.cause == "second_device"
    # The same device asking again (a reload) is not a replacement.
    _post(client, f"{API}/sessions/{s.pk}/join?device=laptop")
    assert AttendanceEvent.objects.filter(seat=seat, kind="replaced").count() == 1


def test_a_token_is_not_given_before_the_opening_or_after_the_close(
    client, janus, live_session, judge_chen, plaintiff_zhang, zhang
):
    s = live_session
    seat = Seat.objects.get(session=s, user=plaintiff_zhang)
    Seat.objects.filter(pk=seat.pk).update(rules_acknowledged_at=timezone.now(), status="admitted")
    client.force_login(plaintiff_zhang)
    assert _post(client, f"{API}/sessions/{s.pk}/join").status_code == 409
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    assert _post(client, f"{API}/sessions/{s.pk}/open").status_code == 200
    assert _post(client, f"{API}/sessions/{s.pk}/close").status_code == 200
    s.refresh_from_db()
    assert not janus.client.room_exists(s.room)
    client.force_login(plaintiff_zhang)
    assert _post(client, f"{API}/sessions/{s.pk}/join").status_code == 409
    # Whoever never entered an online seat is recorded absent at the close (第二十五条).
    assert AttendanceEvent.objects.filter(seat=seat, kind="absent").exists()


def test_in_a_mixed_session_the_clerk_connects_the_physical_courtroom_as_one_publisher(
    client, janus, case, judge, clerk_zhao, judge_chen
):
    """Mixed online and offline (在线诉讼规则第二十一条): the courtroom's camera and microphone
    join as one seat, 实体法庭, run from the clerk's account on the courtroom's computer."""
    from microcourt.hearings.actions import scheduling
    from microcourt.hearings.models import Session

    session = scheduling.session_schedule(
        case=case,
        actor=judge,
        kind="hearing",
        starts_at=scheduling.first_allowed_start(case),
        mode="mixed",
        venue="第三法庭",
    )
    courtroom = Seat.objects.get(session=session, role="courtroom")
    assert courtroom.user_id == clerk_zhao.pk and courtroom.name == "第三法庭"
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    assert _post(client, f"{API}/sessions/{session.pk}/open").status_code == 200
    with_second_factor(clerk_zhao)
    client.force_login(clerk_zhao)
    own = _post(client, f"{API}/sessions/{session.pk}/join?device=desk").json()
    camera = _post(
        client, f"{API}/sessions/{session.pk}/join?device=court-pc&seat={courtroom.pk}"
    ).json()
    assert own["seat"] == "clerk" and camera["seat"] == "courtroom"
    assert camera["display"] == "实体法庭 第三法庭" and camera["token"] != own["token"]
    page = client.get(f"/hearings/{session.pk}/")
    assert f'href="?seat={courtroom.pk}"' in page.content.decode()
    # Someone else's seat number gets nothing.
    client.force_login(judge_chen)
    stranger_seat = _post(client, f"{API}/sessions/{session.pk}/join?seat={courtroom.pk}")
    assert stranger_seat.status_code == 404
