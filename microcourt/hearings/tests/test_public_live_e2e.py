"""庭审直播 end to end: a member of the public, not logged in, opens /live/ in Chromium, picks
today's public hearing and sees the judge (an aiortc bot publishing through the real Janus)
in the read-only player; the page never asks for a camera or microphone, never joins the room
as a participant, and gives its viewer seat back when it is closed."""

from __future__ import annotations

import time

import pytest

from microcourt.hearings.actions import room
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
PLAYING = """() => {
  const v = document.querySelector('#live-videos video');
  return v && v.videoWidth > 0 && v.currentTime > 0.3;
}"""


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
):
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
            # Watching, not taking part: the room's participants are the judge alone.
            assert [p["id"] for p in janus.client.participants(session.room)] == [judge_bot.feed_id]
            screenshot(page, "hearings-live-390")
            wide = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            wide.add_init_script(NO_MEDIA)
            wide.goto(f"{live_server.url}/live/{session.pk}/")
            wide.wait_for_function(PLAYING)
            screenshot(wide, "hearings-live-1440", width=1440)
            assert LiveView.objects.filter(session=session).count() == 2
            wide.context.close()  # page closed: its seat is given back (sendBeacon leave)
            deadline = time.monotonic() + 10
            while LiveView.objects.filter(session=session).count() != 1:
                assert time.monotonic() < deadline, "the closed page kept its viewer seat"
                time.sleep(0.2)
            page.context.close()
            bots.run(judge_bot.close(quiet=True))
    finally:
        session.refresh_from_db()
        if janus.alive() and session.room:
            janus.client.destroy_room(session.room, secret=session.room_secret)
