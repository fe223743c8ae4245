"""庭审直播 end to end: a member of the public, not logged in, opens /live/ in Chromium, picks
today's public hearing and sees the judge (an aiortc bot publishing through the real Janus,
relayed to the Streaming plugin) in the read-only player; the page never asks for a camera or
microphone, never touches the hearing's VideoRoom, and gives its viewer seat back when it is
closed."""

from __future__ import annotations

import time

import pytest

from microcourt.hearings.actions import live_views, room
from microcourt.hearings.models import LiveView
from tests.browser import browser, phone, screenshot  # noqa: F401
from tests.janus_support import janus, janus_server  # noqa: F401

from .test_public_live import BotLoop, _public_today

# Counts any attempt to use a camera or microphone.
NO_MEDIA = """
window.__mediaAsked = 0;
if (navigator.mediaDevices) {
  navigator.mediaDevices.getUserMedia = () => {
    window.__mediaAsked += 1;
    return Promise.reject(new Error("no"));
  };
}
"""
# Decoded frames, not just a connection: the bot's 320x180 picture, 20 frames painted.
PLAYING = """() => {
  const v = document.querySelector('#live-videos .mc-live-feed video');
  return v && v.videoWidth === 320 && v.currentTime > 0.3
    && v.getVideoPlaybackQuality().totalVideoFrames >= 20;
}"""

RECESS = "() => document.getElementById('live-status').textContent.includes('休庭中')"


def beside(action, *, session_id, **kw):
    """Run a hearing action in a thread of its own, as a request would: its pushes to the
    room (async_to_sync) cannot run in this thread, where Playwright's event loop is."""
    import threading

    from django.db import connection

    from microcourt.hearings.models import Session

    failed = []

    def run():
        try:
            action(session=Session.objects.get(pk=session_id), **kw)
        except Exception as exc:  # handed to the test below
            failed.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not failed, failed


@pytest.fixture
def sync_db_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; the test's own database calls
    (made between browser steps, never inside the loop) are still plain synchronous ones."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.django_db(transaction=True)
def test_the_public_watches_a_public_hearing_in_the_browser(
    sync_db_beside_playwright,
    reference_data,
    case,
    judge,
    live_server,
    janus,  # noqa: F811 - the fixture imported above
    browser,  # noqa: F811 - the fixture imported above
    settings,
):
    settings.HEARINGS_LIVE_VIEW_TTL_SECONDS = 15  # a heartbeat every 5 s
    session = _public_today(case, judge)
    room.session_open(session=session, actor=judge)
    session.refresh_from_db()
    grant = room.session_join(session=session, actor=judge, device="judge-desk")
    judge_bot = janus.bot(
        room=grant["room"], token=grant["token"], display="审判长 陈法官", sender_id=3
    )
    try:
        with BotLoop() as bots:

            async def publish():
                await judge_bot.connect()
                await judge_bot.join()
                await judge_bot.publish()

            bots.run(publish())
            page = phone(browser, init_script=NO_MEDIA, timeout=20000)
            page.goto(f"{live_server.url}/live/")
            assert case.number in page.inner_text("#live-today")
            page.click(f"#live-today a[data-session='{session.pk}']")
            page.wait_for_url(f"{live_server.url}/live/{session.pk}/")
            page.wait_for_function(PLAYING)
            assert page.evaluate("window.__mediaAsked") == 0
            assert LiveView.objects.filter(session=session).count() == 1
            # Through the Streaming plugin: the judge's mountpoint has the page as its viewer,
            # and the room's participants are the judge alone (the page is not in the room).
            [feed] = live_views.feeds(session)
            assert feed["feed"] == judge_bot.feed_id
            assert page.get_attribute("#live-videos .mc-live-feed", "data-mountpoint") == str(
                feed["id"]
            )
            secret = live_views._names(session).secret
            assert janus.client.mountpoint_info(feed["id"], secret=secret)["viewers"] == 1
            assert [p["id"] for p in janus.client.participants(session.room)] == [judge_bot.feed_id]
            screenshot(page, "hearings-live-390")
            wide = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            wide.add_init_script(NO_MEDIA)
            wide.goto(f"{live_server.url}/live/{session.pk}/")
            wide.wait_for_function(PLAYING)
            screenshot(wide, "hearings-live-1440", width=1440)
            assert LiveView.objects.filter(session=session).count() == 2
            assert janus.client.mountpoint_info(feed["id"], secret=secret)["viewers"] == 2
            wide.context.close()  # page closed: its seat is given back (sendBeacon leave)
            deadline = time.monotonic() + 10
            while LiveView.objects.filter(session=session).count() != 1:
                assert time.monotonic() < deadline, "the closed page kept its viewer seat"
                time.sleep(0.2)
            # A recess takes the hearing off the air: the picture goes; resumed, it comes back
            # with the page's next heartbeat, without reloading.
            beside(room.session_recess, session_id=session.pk, actor=judge, note="合议")
            page.wait_for_function("() => !document.querySelector('#live-videos video')")
            page.wait_for_function(RECESS)
            beside(room.session_resume, session_id=session.pk, actor=judge)
            page.wait_for_function(PLAYING)
            page.context.close()
            bots.run(judge_bot.close(quiet=True))
    finally:
        session.refresh_from_db()
        if janus.alive() and session.room:
            live_views._relay_stop(session.pk)
            janus.client.destroy_room(session.room, secret=session.room_secret)
