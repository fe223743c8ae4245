"""/live/ (在线诉讼规则第二十七条; 民事诉讼法第一百三十七条): anyone, without logging in, sees
today's public hearings of every court and nothing else; watches an open one read-only on the
real Janus (the speakers relayed to the Streaming plugin; a viewer's short-lived token cannot
use the VideoRoom at all), within a cap and a rate; a private or protected session is "not
found"."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from django.core.cache import cache
from django.utils import timezone

from microcourt.hearings.actions import live_views, publicity, room
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.janus.client import UNAUTHORIZED_PLUGIN
from microcourt.hearings.models import LiveView, Session
from microcourt.ledger.models import Entry
from tests.janus_support import janus, janus_server  # noqa: F401
from tests.rtcbot import JanusBot, JanusRefused

from .conftest import sibling_case
from .test_public_switch import schedule

API = "/api/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _today_at(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


def _public_today(case, judge, *, hour=10, public=True, days=0):
    session = schedule(case, judge, days=days)
    Session.objects.filter(pk=session.pk).update(starts_at=_today_at(hour))
    session.refresh_from_db()
    if public:
        publicity.session_set_public(session=session, actor=judge, public=True)
    return session


@pytest.fixture
def other_case(case):
    return sibling_case(case, serial=202, cause="买卖合同纠纷")


def test_live_lists_only_todays_public_hearings_to_anyone(client, case, other_case, judge):
    listed = _public_today(case, judge, hour=10)
    private = _public_today(other_case, judge, hour=11, public=False)
    tomorrow = schedule(case, judge, days=1)
    publicity.session_set_public(session=tomorrow, actor=judge, public=True)
    Session.objects.filter(pk=tomorrow.pk).update(starts_at=_today_at(10) + dt.timedelta(days=1))
    cancelled = _public_today(other_case, judge, hour=15)
    Session.objects.filter(pk=cancelled.pk).update(status="cancelled")

    body = client.get(f"{API}/live/sessions").json()  # no log-in
    assert [s["id"] for s in body] == [listed.pk]
    row = body[0]
    assert row["court"] == case.court.name
    assert row["case_number"] == case.number and row["cause"] == "民间借贷纠纷"
    assert row["status"] == "scheduled"
    assert dt.datetime.fromisoformat(row["starts_at"]) == _today_at(10)

    page = client.get("/live/")
    assert page.status_code == 200
    html = page.content.decode()
    assert case.number in html and f"/live/{listed.pk}/" in html
    assert other_case.number not in html
    for hidden in (private, tomorrow, cancelled):
        assert f"/live/{hidden.pk}/" not in html


def test_a_case_protected_after_the_switch_leaves_the_list_and_its_page(client, case, judge):
    session = _public_today(case, judge)
    assert client.get(f"/live/{session.pk}/").status_code == 200
    # The flag is cleared by publicity_set; even a stale flag would not show it.
    publicity.publicity_set(case=case, actor=judge, ground="privacy")
    Session.objects.filter(pk=session.pk).update(public=True)
    assert client.get(f"{API}/live/sessions").json() == []
    assert client.get(f"/live/{session.pk}/").status_code == 404
    assert client.post(f"{API}/live/sessions/{session.pk}/view").status_code == 404


def test_private_and_unknown_sessions_are_not_found(client, case, judge):
    private = _public_today(case, judge, public=False)
    for url in (f"/live/{private.pk}/", "/live/999999/", f"/live/{private.pk}/replay/"):
        assert client.get(url).status_code == 404, url
    answer = client.post(f"{API}/live/sessions/{private.pk}/view")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert not LiveView.objects.exists()


def test_a_public_session_not_yet_open_says_so_without_a_token(client, case, judge):
    session = _public_today(case, judge)
    page = client.get(f"/live/{session.pk}/")
    assert page.status_code == 200
    assert "尚未开庭" in page.content.decode()
    answer = client.post(f"{API}/live/sessions/{session.pk}/view")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_started"
    assert not LiveView.objects.exists()


# --- On the real Janus ------------------------------------------------------------------------


@pytest.fixture
def on_air(janus, case, judge, django_capture_on_commit_callbacks):  # noqa: F811
    """Today's public hearing of 张三 v 王五, opened by the judge: a real room on Janus."""
    session = _public_today(case, judge)
    room.session_open(session=session, actor=judge)
    session.refresh_from_db()
    yield session
    session.refresh_from_db()
    if janus.alive() and session.room:
        live_views._relay_stop(session.pk)
        janus.client.destroy_room(session.room, secret=session.room_secret)


class StreamViewer(JanusBot):
    """What the /live/ page does, as a bot: a Streaming-plugin handle that watches one
    mountpoint (``watch`` with the pin, then ``start`` with the answer)."""

    plugin = "janus.plugin.streaming"

    async def _attach(self) -> int:
        answer = await self._call({"janus": "attach", "plugin": self.plugin})
        return answer["data"]["id"]

    async def watch(self, mountpoint: int, pin: str) -> None:
        self.sub_handle = self.pub_handle
        answer = await self.message(
            self.sub_handle, {"request": "watch", "id": mountpoint, "pin": pin}
        )
        await self._answer(answer["jsep"])
        await self._connected(self.sub_pc)


def stream_viewer(janus, token):  # noqa: F811 - the fixture's value
    return StreamViewer(
        janus.ws_url, room=0, token=token, display="", sender_id=0,
        media_address=janus.media_address,
    )  # fmt: skip


def relayed(janus, session) -> dict[int, set[str]]:  # noqa: F811 - the fixture's value
    """What Janus relays of the room now: ``{publisher: {"audio", "video"}}``."""
    forwarders = janus.client.forwarders(session.room, secret=session.room_secret)
    return {feed: {f["type"] for f in fs} for feed, fs in forwarders.items() if fs}


def mountpoints(janus, session) -> dict[int, int]:  # noqa: F811 - the fixture's value
    from microcourt.hearings.janus.broadcast import mountpoints_of

    return mountpoints_of(janus.client, live_views._names(session))


class BotLoop:
    """An event loop in its own thread for the aiortc bots, so the test's own thread keeps
    the database connection (and its transaction) for the Django calls in between."""

    def __enter__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        return self

    def run(self, coro, timeout: float = 45.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __exit__(self, *exc):
        async def settle():
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        self.run(settle(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def test_a_viewer_watches_the_judge_read_only_and_loses_the_token_on_leaving(
    client,
    janus,  # noqa: F811 - the fixture imported above
    on_air,
    judge,
):
    grant = room.session_join(session=on_air, actor=judge, device="judge-desk")
    judge_bot = janus.bot(
        room=grant["room"], token=grant["token"], display="审判长 陈法官", sender_id=7,
        audio=True,
    )  # fmt: skip
    with BotLoop() as bots:

        async def publish():
            await judge_bot.connect()
            await judge_bot.join()
            await judge_bot.publish()

        bots.run(publish())
        view = client.post(f"{API}/live/sessions/{on_air.pk}/view")  # no log-in
        assert view.status_code == 200, view.content
        seen = view.json()
        assert "room" not in seen and seen["token"] != grant["token"]
        # The judge is relayed, audio and video, to a mountpoint of their own.
        [feed] = seen["feeds"]
        assert feed["feed"] == judge_bot.feed_id and feed["display"] == "审判长 陈法官"
        assert relayed(janus, on_air) == {judge_bot.feed_id: {"audio", "video"}}
        assert mountpoints(janus, on_air) == {judge_bot.feed_id: feed["id"]}

        # Janus itself keeps the viewer read-only: the token may use the Streaming plugin
        # only, so it cannot attach to the VideoRoom, let alone join it as a publisher.
        assert seen["token"] not in janus.client.allowed(on_air.room, secret=on_air.room_secret)
        intruder = janus.bot(room=on_air.room, token=seen["token"], display="旁听", sender_id=9)

        async def try_to_publish():
            try:
                await intruder.connect()  # attaches the VideoRoom plugin
                await intruder.join()
                await intruder.publish()
            finally:
                await intruder.close(quiet=True)

        with pytest.raises(JanusRefused) as refused:
            bots.run(try_to_publish())
        assert refused.value.code == UNAUTHORIZED_PLUGIN
        assert [p["id"] for p in janus.client.participants(on_air.room)] == [judge_bot.feed_id]

        # Without the pin the mountpoint refuses; with it the viewer sees and hears the judge.
        thief = stream_viewer(janus, seen["token"])

        async def watch_without_pin():
            try:
                await thief.connect()
                await thief.watch(feed["id"], "guessed")
            finally:
                await thief.close(quiet=True)

        with pytest.raises(JanusRefused):
            bots.run(watch_without_pin())
        viewer = stream_viewer(janus, seen["token"])

        async def watch():
            await viewer.connect()
            await viewer.watch(feed["id"], seen["pin"])
            return await viewer.wait_frames(5, sender=7)

        assert bots.run(watch()) >= 5
        assert viewer.media_frames["audio"] > 0
        info = janus.client.mountpoint_info(feed["id"], secret=live_views._names(on_air).secret)
        assert info["viewers"] == 1
        # Watching, not taking part: the room lists only the judge.
        assert [p["id"] for p in janus.client.participants(on_air.room)] == [judge_bot.feed_id]
        beat = client.post(
            f"{API}/live/sessions/{on_air.pk}/heartbeat",
            {"viewer": seen["viewer"]},
            content_type="application/json",
        )
        assert beat.status_code == 200 and beat.json()["viewers"] == 1
        assert beat.json()["feeds"] == seen["feeds"]
        bots.run(viewer.close(quiet=True))
        left = client.post(
            f"{API}/live/sessions/{on_air.pk}/leave",
            {"viewer": seen["viewer"]},
            content_type="application/json",
        )
        assert left.status_code == 204
        assert seen["token"] not in janus.client.list_tokens()
        again = stream_viewer(janus, seen["token"])

        async def come_back():
            try:
                await again.connect()
            finally:
                await again.close(quiet=True)

        with pytest.raises(JanusRefused):
            bots.run(come_back())
        bots.run(judge_bot.close(quiet=True))
    gone = client.post(
        f"{API}/live/sessions/{on_air.pk}/heartbeat",
        {"viewer": seen["viewer"]},
        content_type="application/json",
    )
    assert gone.status_code == 404


def test_the_relays_exist_while_on_the_air_and_go_at_recess_and_closing(
    client,
    janus,  # noqa: F811 - the fixture imported above
    on_air,
    judge,
    django_capture_on_commit_callbacks,
):
    started = Entry.objects.filter(code=LedgerEvent.BROADCAST_STARTED, case_id=on_air.case_id)
    stopped = Entry.objects.filter(code=LedgerEvent.BROADCAST_STOPPED, case_id=on_air.case_id)
    assert [e.details["why"] for e in started] == ["open"]
    grant = room.session_join(session=on_air, actor=judge, device="judge-desk")
    judge_bot = janus.bot(
        room=grant["room"], token=grant["token"], display="审判长 陈法官", sender_id=5
    )
    with BotLoop() as bots:

        async def publish():
            await judge_bot.connect()
            await judge_bot.join()
            await judge_bot.publish()

        bots.run(publish())
        # A publisher who joins later is relayed when a viewer next asks (the grant here).
        assert relayed(janus, on_air) == {}
        seen = client.post(f"{API}/live/sessions/{on_air.pk}/view").json()
        assert relayed(janus, on_air) == {judge_bot.feed_id: {"video"}}
        assert list(mountpoints(janus, on_air)) == [judge_bot.feed_id]

        with django_capture_on_commit_callbacks(execute=True):
            room.session_recess(session=on_air, actor=judge, note="合议")
        assert relayed(janus, on_air) == {} and mountpoints(janus, on_air) == {}
        assert [e.details["why"] for e in stopped] == ["recess"]
        on_air.refresh_from_db()
        beat = client.post(
            f"{API}/live/sessions/{on_air.pk}/heartbeat",
            {"viewer": seen["viewer"]},
            content_type="application/json",
        )
        assert beat.status_code == 200 and beat.json()["feeds"] == []  # still watching
        assert relayed(janus, on_air) == {}  # and nothing relayed in the recess

        with django_capture_on_commit_callbacks(execute=True):
            room.session_resume(session=on_air, actor=judge)
        assert relayed(janus, on_air) == {judge_bot.feed_id: {"video"}}
        assert [e.details["why"] for e in started.order_by("pk")] == ["open", "resume"]
        on_air.refresh_from_db()

        with django_capture_on_commit_callbacks(execute=True):
            room.session_close(session=on_air, actor=judge)
        assert mountpoints(janus, on_air) == {}
        assert [e.details["why"] for e in stopped.order_by("pk")] == ["recess", "close"]
        assert seen["token"] not in janus.client.list_tokens()
        bots.run(judge_bot.close(quiet=True))


def test_switching_off_stops_the_relays_and_switching_on_restarts_them(
    client,
    janus,  # noqa: F811 - the fixture imported above
    on_air,
    judge,
    django_capture_on_commit_callbacks,
):
    grant = room.session_join(session=on_air, actor=judge, device="judge-desk")
    judge_bot = janus.bot(
        room=grant["room"], token=grant["token"], display="审判长 陈法官", sender_id=6
    )
    with BotLoop() as bots:

        async def publish():
            await judge_bot.connect()
            await judge_bot.join()
            await judge_bot.publish()

        bots.run(publish())
        with django_capture_on_commit_callbacks(execute=True):
            publicity.session_set_public(session=on_air, actor=judge, public=False)
        assert relayed(janus, on_air) == {} and mountpoints(janus, on_air) == {}
        with django_capture_on_commit_callbacks(execute=True):
            publicity.session_set_public(session=on_air, actor=judge, public=True)
        # On the air again: the judge is relayed at once, before any viewer asks.
        assert relayed(janus, on_air) == {judge_bot.feed_id: {"video"}}
        # The case turns out to be protected: off the air, relays and mountpoints gone.
        with django_capture_on_commit_callbacks(execute=True):
            publicity.publicity_set(case=on_air.case, actor=judge, ground="privacy")
        assert relayed(janus, on_air) == {} and mountpoints(janus, on_air) == {}
        whys = Entry.objects.filter(code=LedgerEvent.BROADCAST_STOPPED, case_id=on_air.case_id)
        assert [e.details["why"] for e in whys.order_by("pk")] == ["switch_off", "ground:privacy"]
        bots.run(judge_bot.close(quiet=True))


def test_over_the_cap_the_page_says_full_and_a_quiet_viewer_frees_a_seat(
    client,
    janus,  # noqa: F811 - the fixture imported above
    on_air,
    settings,
):
    settings.HEARINGS_LIVE_VIEWER_CAP = 2
    first = client.post(f"{API}/live/sessions/{on_air.pk}/view").json()
    second = client.post(f"{API}/live/sessions/{on_air.pk}/view").json()
    third = client.post(f"{API}/live/sessions/{on_air.pk}/view")
    assert third.status_code == 409
    assert third.json()["error"]["code"] == "live_full"
    assert "直播观看人数已满" in third.json()["error"]["message"]
    page = client.get(f"/live/{on_air.pk}/")
    assert page.status_code == 503 and "直播观看人数已满" in page.content.decode()
    assert LiveView.objects.filter(session=on_air).count() == 2
    # The first viewer goes quiet past the heartbeat window: their seat and token go.
    LiveView.objects.filter(viewer=first["viewer"]).update(
        last_seen_at=timezone.now() - live_views.view_ttl() - dt.timedelta(seconds=1)
    )
    fourth = client.post(f"{API}/live/sessions/{on_air.pk}/view")
    assert fourth.status_code == 200
    tokens = janus.client.list_tokens()
    assert first["token"] not in tokens
    assert second["token"] in tokens and fourth.json()["token"] in tokens
    assert client.get(f"/live/{on_air.pk}/").status_code == 503


def test_tokens_are_rate_limited_per_address(client, janus, on_air, settings):  # noqa: F811
    settings.HEARINGS_LIVE_RATE_PER_MINUTE = 2
    assert client.post(f"{API}/live/sessions/{on_air.pk}/view").status_code == 200
    assert client.post(f"{API}/live/sessions/{on_air.pk}/view").status_code == 200
    refused = client.post(f"{API}/live/sessions/{on_air.pk}/view")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited" and refused["Retry-After"] == "60"
    assert LiveView.objects.filter(session=on_air).count() == 2


def test_switching_off_revokes_every_viewer(
    client,
    janus,  # noqa: F811 - the fixture imported above
    on_air,
    judge,
    django_capture_on_commit_callbacks,
):
    seen = client.post(f"{API}/live/sessions/{on_air.pk}/view").json()
    assert seen["token"] in janus.client.list_tokens()
    with django_capture_on_commit_callbacks(execute=True):
        publicity.session_set_public(session=on_air, actor=judge, public=False)
    assert not LiveView.objects.filter(session=on_air).exists()
    assert seen["token"] not in janus.client.list_tokens()
    assert client.get(f"/live/{on_air.pk}/").status_code == 404
    beat = client.post(
        f"{API}/live/sessions/{on_air.pk}/heartbeat",
        {"viewer": seen["viewer"]},
        content_type="application/json",
    )
    assert beat.status_code == 404


def _udp_bound(port: int) -> set[str]:
    """The local addresses a UDP socket of this machine is bound to on ``port``."""
    found = set()
    from pathlib import Path

    for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
        address, hexport = line.split()[1].split(":")
        if int(hexport, 16) == port:
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_only_django_makes_mountpoints_and_they_listen_on_loopback_alone(
    janus,  # noqa: F811 - the fixture imported above
    janus_room,
    settings,
):
    from django.core.exceptions import ImproperlyConfigured

    from microcourt.hearings.janus.broadcast import Names, relay_stop
    from microcourt.hearings.janus.client import JanusUnavailable
    from microcourt.hearings.janus.config import stream_ports

    client = janus.client
    names = Names(room=janus_room.room, key=b"test")
    media = [{"type": "video", "mid": "v", "port": 0, "pt": 96, "codec": "vp8"}]
    sneaky = type(client)(
        api_url=client.api_url, admin_url=client.admin_url, admin_secret=client.admin_secret,
        room_admin_key=client.room_admin_key, server_token=client.server_token,
        stream_admin_key="guessed",
    )  # fmt: skip
    with pytest.raises(JanusUnavailable):
        sneaky.create_mountpoint(
            names.mountpoint(1), description="x", metadata=names.metadata(1), secret="x",
            pin="x", media=media,
        )  # fmt: skip
    assert client.mountpoint_info(names.mountpoint(1), secret="x") is None
    made = client.create_mountpoint(
        names.mountpoint(1), description="x", metadata=names.metadata(1), secret=names.secret,
        pin=names.pin, media=media,
    )  # fmt: skip
    [port] = [p["port"] for p in made["ports"]]
    low, high = map(int, settings.JANUS_STREAM_PORTS.split("-"))
    assert low <= port <= high
    assert _udp_bound(port) == {"127.0.0.1"}
    assert relay_stop(client, room=janus_room.room, secret=janus_room.secret, names=names) == 1
    assert client.mountpoint_info(names.mountpoint(1), secret=names.secret) is None
    # The mountpoints' ports may not share Janus's WebRTC range.
    with pytest.raises(ImproperlyConfigured):
        stream_ports("20500-21500", "20000-20999")
    assert stream_ports("21000-21999", "20000-20999") == "21000-21999"
