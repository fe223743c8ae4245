"""The judge's control enforced by the media server, and an ICE failure in the attendance log,
against a real Janus (tests/janus_support.py) with aiortc bots (tests/rtcbot.py) in the
session's own room: the hearing opened and joined through our actions, the party's page
(a bot) on the courtroom socket reporting its feed and its connection as the page does.

- Camera off / mute by the judge: Janus stops forwarding the party's video / sound, so no
  frame of it reaches anyone even though the party keeps sending; on again, it flows again.
- ICE fails (the bot's network goes, its socket to us stays): the page reports ``ice_failed``
  → DROPPED/ice_failed; it publishes again and reports ``media_connected`` with its new feed
  → REJOINED within the grace window: a network failure, not 中途退庭."""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async

from microcourt.hearings import selectors
from microcourt.hearings.actions import attendance, control, room
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import Seat, SeatStatus
from microcourt.ledger.models import Entry
from tests.janus_support import janus, janus_server  # noqa: F401 - the fixtures

from . import test_control
from .test_consumer import connected, next_event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

PARTY, JUDGE = 8, 7  # the bots' stamp ids


@pytest.fixture
def live_room(janus, case, judge, zhang):  # noqa: F811
    """The hearing opened by the judge (its Janus room made), 张三 admitted, rules read."""
    from django.utils import timezone

    session = test_control.hearing_of(case, judge)
    session = room.session_open(session=session, actor=judge)
    session.seats.filter(role="plaintiff").update(
        status=SeatStatus.ADMITTED, rules_acknowledged_at=timezone.now()
    )
    yield session
    session.refresh_from_db()
    if session.status in ("open", "recess"):
        room.session_close(session=session, actor=judge)


async def publisher(janus, joined: dict, sender: int, **kw):  # noqa: F811
    bot = janus.bot(
        room=joined["room"],
        token=joined["token"],
        display=joined["display"],
        sender_id=sender,
        **kw,
    )
    await bot.connect()
    await bot.join()
    await bot.publish()
    return bot


async def stalls(bot, sender: int, seconds: float = 1.5) -> int:
    """Frames of ``sender`` decoded over ``seconds``, after letting in-flight ones land."""
    await asyncio.sleep(0.7)
    before = bot.frames[sender]
    await asyncio.sleep(seconds)
    return bot.frames[sender] - before


async def audio_frames(bot, seconds: float = 1.5) -> int:
    await asyncio.sleep(0.7)
    before = bot.media_frames["audio"]
    await asyncio.sleep(seconds)
    return bot.media_frames["audio"] - before


def test_camera_off_and_mute_are_enforced_at_janus(janus, live_room, judge, zhang):  # noqa: F811
    seat = live_room.seats.get(role="plaintiff")
    party_join = room.session_join(session=live_room, actor=zhang, device="bot")
    judge_join = room.session_join(session=live_room, actor=judge, device="bot")
    act = sync_to_async(control.control)

    async def scenario():
        party = await publisher(janus, party_join, PARTY, audio=True)
        viewer = await publisher(janus, judge_join, JUDGE)
        try:
            await viewer.subscribe([party.feed_id])
            await viewer.wait_frames(5, sender=PARTY)
            # The party's page tells us its feed (as it does once Janus says "joined").
            await sync_to_async(attendance.seat_reported)(
                seat=seat, actor=zhang, report="media_connected", feed_id=party.feed_id
            )
            flowing = await stalls(viewer, PARTY)
            sound = await audio_frames(viewer)
            await act(session=live_room, actor=judge, op="camera_off", seat=seat.pk)
            camera_off = await stalls(viewer, PARTY)
            await act(session=live_room, actor=judge, op="mute", seat=seat.pk)
            muted_sound = await audio_frames(viewer)
            await act(session=live_room, actor=judge, op="camera_on", seat=seat.pk)
            await act(session=live_room, actor=judge, op="unmute", seat=seat.pk)
            back = viewer.frames[PARTY]
            await viewer.wait_frames(back + 5, sender=PARTY, timeout=10)
            return flowing, sound, camera_off, muted_sound
        finally:
            await party.hangup()
            await viewer.hangup()

    flowing, sound, camera_off, muted_sound = janus.run(scenario(), timeout=120)
    assert flowing > 5 and sound > 5  # the control: media did flow
    assert camera_off == 0  # not one frame of the party's camera reached the judge
    assert muted_sound == 0  # nor a sound
    seat.refresh_from_db()
    assert not seat.muted and not seat.camera_off and seat.feed_id is not None
    ops = [e.details["op"] for e in Entry.objects.filter(code=LedgerEvent.CONTROL)]
    assert ops == ["camera_off", "mute", "camera_on", "unmute"]


def test_a_feed_not_in_the_room_or_anothers_is_refused(janus, live_room, zhang, judge):  # noqa: F811
    from microcourt.core.errors import InvalidInput

    seat = live_room.seats.get(role="plaintiff")
    judge_seat = live_room.seats.get(role="presiding_judge")
    judge_join = room.session_join(session=live_room, actor=judge, device="bot")

    async def scenario():
        bot = await publisher(janus, judge_join, JUDGE)
        try:
            await sync_to_async(attendance.seat_reported)(
                seat=judge_seat, actor=judge, report="media_connected", feed_id=bot.feed_id
            )
            for feed in (bot.feed_id, 123456789):  # the judge's feed; one nowhere
                with pytest.raises(InvalidInput) as refused:
                    await sync_to_async(attendance.seat_reported)(
                        seat=seat, actor=zhang, report="media_connected", feed_id=feed
                    )
                assert "feed_id" in refused.value.fields
        finally:
            await bot.hangup()

    janus.run(scenario(), timeout=60)
    seat.refresh_from_db()
    assert seat.feed_id is None  # a mute of 张三 can never reach the judge's feed


async def _ice_state(pc, wanted: set[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while pc.iceConnectionState not in wanted and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    return pc.iceConnectionState


def test_an_ice_failure_is_a_drop_and_publishing_again_a_rejoin(
    janus,  # noqa: F811
    live_room,
    zhang,
    plaintiff_zhang,
):
    seat = live_room.seats.get(role="plaintiff")

    async def scenario():
        socket, state = await connected(plaintiff_zhang, live_room)
        assert state["in_room"]
        joined = await sync_to_async(room.session_join)(
            session=live_room, actor=zhang, device="bot"
        )
        bot = await publisher(janus, joined, PARTY)
        await socket.send_json_to(
            {"action": "report", "report": "media_connected", "feed_id": bot.feed_id}
        )
        await next_event(socket, "ok")
        # The network under the media goes; the page's socket to us stays up.
        await bot.drop(keep_socket=True)
        ice = await _ice_state(bot.pub_pc, {"failed", "disconnected", "closed"}, timeout=60)
        assert ice in {"failed", "disconnected", "closed"}, ice
        await socket.send_json_to({"action": "report", "report": "ice_failed"})
        await next_event(socket, "ok")
        await bot.close(quiet=True)
        # The page reconnects its media: joins again with a fresh token and publishes.
        again = await sync_to_async(room.session_join)(session=live_room, actor=zhang, device="bot")
        bot2 = await publisher(janus, again, PARTY)
        try:
            await socket.send_json_to(
                {"action": "report", "report": "media_connected", "feed_id": bot2.feed_id}
            )
            await next_event(socket, "ok")
            return ice, bot2.feed_id
        finally:
            await bot2.hangup()
            await socket.disconnect()

    _ice, feed = janus.run(scenario(), timeout=150)
    lines = [(e.kind, e.cause) for e in seat.attendance.order_by("at", "pk")]
    assert lines == [
        ("joined", ""),
        ("dropped", "ice_failed"),
        ("rejoined", "ice_failed"),
        ("left", "hangup"),  # the page closed its socket cleanly at the end
    ]
    drop = seat.attendance.get(kind="dropped")
    assert drop.detail == "ice_failed"
    outcomes = [r for line, r in selectors.lines_with_outcome(live_room) if line.kind == "dropped"]
    assert outcomes == ["rejoined"]  # back within the grace window: a network failure
    assert Seat.objects.get(pk=seat.pk).feed_id == feed
    ledger = [
        (e.details["kind"], e.details["cause"])
        for e in Entry.objects.filter(code=LedgerEvent.ATTENDANCE).order_by("pk")
        if e.details.get("seat") == seat.pk
    ]
    assert ledger == lines
