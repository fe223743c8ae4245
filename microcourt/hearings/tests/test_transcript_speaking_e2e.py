"""Issue 17, "Chromium: the clerk edits a line while a bot speaks": the whole live transcript
at once. 陈法官 has opened the hearing (``microcourt serve`` on a real Janus, Redis between
the processes, TRANSCRIBE_LIVE on, so opening queued the session's transcription task); the
transcription worker (``microcourt worker --queue-name transcription``, another process, with
the fake engine's scripted text) runs that task; 张三 is an aiortc bot publishing speech made
with espeak-ng through Janus. 赵书记员, on a 390 px phone, sees 张三's first line appear in the
courtroom's transcript pane, labelled 原告 张三, opens it and types a correction while 张三
says something else; the new line appears in the pane during the edit and the text being
typed is left alone (same text, caret, focus); the clerk saves. The line keeps the engine's
text as version 1 and the clerk's as version 2, by 赵书记员. Checked by axe-core as the page
stands at the end; screenshot test-results/transcript-speaking-390.png."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from tests import axe
from tests.browser import CHROMIUM, PHONE, browser, screenshot  # noqa: F401 - the fixture
from tests.janus_support import janus_server  # noqa: F401 - the fixture
from tests.live_server import CLI, ROOT, live_server
from tests.rtcbot import SpeakingBot, load_wav

from .test_transcript_e2e import CASE_SETUP

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

WAIT = 40000  # ms: a line goes bot -> Janus -> recording -> worker -> Redis -> page; 2 busy cores

# What the fake engine "hears", one per utterance, in order.
HEARD = ["被告借款五万元未还。", "借条上有被告的签名。"]

SETUP = (
    CASE_SETUP
    + r"""
import secrets
from django_tasks_db.models import DBTaskResult
from microcourt.core.actor import Actor
from microcourt.hearings.actions import room
from microcourt.hearings.janus.client import get_client
from microcourt.hearings.models import Seat, Session
from microcourt.hearings.transcription.runner import TASK_PATH
session = Session.objects.create(case=case, kind="hearing", starts_at=now, scheduled_by=judge)
room.seats_sync(session=session)
# 宣布开庭: the Janus room is made, recording; the transcription task is queued.
room.session_open(session=session, actor=Actor(user=judge, role="judge", court_id=court.pk))
session.refresh_from_db()
queued = [r.args_kwargs["args"] for r in DBTaskResult.objects.filter(task_path=TASK_PATH)]
assert queued == [[session.pk]], queued
# 张三 is in the room: a token of his seat that Janus knows (as entering gives him).
seat = Seat.objects.get(session=session, role="plaintiff")
token = secrets.token_urlsafe(32)
Seat.objects.filter(pk=seat.pk).update(token=token)
get_client().add_token(token)
get_client().allow(session.room, secret=session.room_secret, tokens=[token])

def login(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "microcourt.identity.backends.UsernameOrPhoneBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key

print(json.dumps({"session": session.pk, "cookie": login(clerk), "room": session.room,
                  "token": token, "label": seat.label}))
"""
)

# The transcription worker, as `microcourt serve` runs it, with the fake engine's script.
WORKER = r"""
from django.conf import settings
from django.core.management import call_command
settings.SPEECH_FAKE_TEXT = {heard!r}
call_command("worker", queue_name="transcription", batch=True)
"""

# 陈法官 closes the hearing (the worker reads the recordings to their end and stops); then
# the session's lines as the database holds them.
CLOSE_AND_READ = r"""
import json
from microcourt.core.actor import Actor
from microcourt.hearings.actions import room
from microcourt.hearings.models import Session, TranscriptLine
session = Session.objects.get(pk={session})
judge = session.seats.get(role="presiding_judge").user
room.session_close(session=session, actor=Actor(user=judge, role="judge",
                                                court_id=session.case.court_id))
print(json.dumps([{{"text": t.text, "engine": t.engine_text, "speaker": t.speaker,
                   "versions": [[v.number, v.text, v.by_name] for v in t.versions.all()]}}
                  for t in TranscriptLine.objects.filter(session_id={session})
                  .order_by("started_at", "pk")]))
"""


def espeak(tmp: Path, name: str, text: str) -> np.ndarray:
    binary = shutil.which("espeak-ng")
    assert binary, "espeak-ng is needed (scripts/system-deps.sh installs it)"
    path = tmp / f"{name}.wav"
    subprocess.run([binary, "-v", "en", "-w", str(path), text], check=True, timeout=30)
    return load_wav(path)


@pytest.fixture(scope="module")
def court(tmp_path_factory, janus_server):  # noqa: F811 - the fixture imported above
    s = janus_server.settings
    env = {
        "MICROCOURT_JANUS_MANAGED": "false",
        "MICROCOURT_JANUS_DIR": str(s["JANUS_DIR"]),
        "MICROCOURT_JANUS_REC_DIR": str(s["JANUS_REC_DIR"]),
        "MICROCOURT_JANUS_API_URL": s["JANUS_API_URL"],
        "MICROCOURT_JANUS_ADMIN_URL": s["JANUS_ADMIN_URL"],
        "MICROCOURT_JANUS_URL": s["JANUS_URL"],
        "MICROCOURT_JANUS_WS_PORT": str(s["JANUS_WS_PORT"]),
        "MICROCOURT_JANUS_ADMIN_SECRET": s["JANUS_ADMIN_SECRET"],
        "MICROCOURT_JANUS_ROOM_ADMIN_KEY": s["JANUS_ROOM_ADMIN_KEY"],
        "MICROCOURT_JANUS_MEDIA_ADDRESS": s["JANUS_MEDIA_ADDRESS"],
        "MICROCOURT_JANUS_ICE_SERVERS": "[]",
        "MICROCOURT_TRANSCRIBE_LIVE": "true",
        "MICROCOURT_SPEECH_ENGINE": "fake",
        "MICROCOURT_TRANSCRIBE_POLL_MS": "100",
    }
    # Redis carries the worker's lines to the courtroom socket: a database (and so a channel
    # prefix) of its own, apart from test_transcript_e2e.py's 13 should both run at once.
    with live_server(
        tmp_path_factory.mktemp("transcript-speaking-e2e"),
        ready="/accounts/login/",
        worker=False,  # the transcription worker is started by the test, with its script
        REDIS_URL="redis://127.0.0.1:6379/14",
        **env,
    ) as live:
        made = live.run("shell", "-c", SETUP)
        assert made.returncode == 0, made.stderr
        yield live, json.loads(made.stdout.strip().splitlines()[-1])


class BotLoop:
    """张三's bot on an asyncio loop in a thread, while the test drives the browser."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 60.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def _line_shown(page, text: str) -> None:
    page.wait_for_function(
        "(t) => Array.from(document.querySelectorAll('#tr-lines > li'))"
        "  .some((li) => !li.classList.contains('is-editing') && li.innerText.includes(t))",
        arg=text,
        timeout=WAIT,
    )


def test_the_clerk_edits_a_line_while_a_bot_speaks(
    court,
    browser,  # noqa: F811 - the fixture imported above
    janus_server,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    assert shutil.which(CHROMIUM)
    live, made = court
    first = espeak(tmp_path, "one", "The defendant owes me money.")
    second = espeak(tmp_path, "two", "He signed the note.")

    # The transcription worker takes the task opening queued.
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed in finally
    worker = subprocess.Popen(
        [*CLI, "shell", "-c", WORKER.format(heard=HEARD)],
        env=live.env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    bots = BotLoop()
    bot = SpeakingBot(
        janus_server.ws_url,
        room=made["room"],
        token=made["token"],
        display=made["label"],  # the seat's label, as his page names his feed
        media_address=janus_server.media_address,
    )
    try:
        assert made["label"] == "原告 张三"

        async def enter():
            await bot.connect()
            await bot.join()
            await bot.publish()

        bots.run(enter())

        context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(WAIT)
        context.add_cookies([{"name": "sessionid", "value": made["cookie"], "url": live.base}])
        page = context.new_page()
        page.goto(f"{live.base}/hearings/{made['session']}/")
        page.wait_for_selector("#tr-lines", state="attached")

        # 张三 speaks; his line appears in the clerk's pane, labelled with his seat.
        bots.run(bot.speak(first, "one"))
        _line_shown(page, HEARD[0])
        line = page.locator("#tr-lines > li", has_text=HEARD[0])
        assert line.locator(".tr-speaker").inner_text() == "原告 张三"
        line = page.locator(f"#tr-lines > li[data-id='{line.get_attribute('data-id')}']")

        # The clerk opens it and types a correction while 张三 goes on speaking.
        line.locator("button.tr-edit").click()
        area = line.locator("textarea")
        assert area.input_value() == HEARD[0]
        speaking = bots.start(bot.speak(second, "two"))
        area.press("Control+a")
        part_one, part_two = "被告于2024年3月借款", "五万元，至今未还。"
        area.press_sequentially(part_one, delay=60)
        # 张三's second sentence becomes a line and shows in the pane during the edit ...
        _line_shown(page, HEARD[1])
        assert line.evaluate("li => li.classList.contains('is-editing')")
        # ... leaving what is being typed, where the caret is and the focus alone.
        assert area.input_value() == part_one
        assert area.evaluate(
            "a => document.activeElement === a && a.selectionStart === a.value.length"
        )
        area.press_sequentially(part_two, delay=60)
        corrected = part_one + part_two
        assert area.input_value() == corrected
        speaking.result(30)
        new_line = page.locator("#tr-lines > li", has_text=HEARD[1])
        assert new_line.count() == 1
        assert new_line.locator(".tr-speaker").inner_text() == "原告 张三"

        # Saved: the pane shows the correction, marked as edited, and both versions.
        line.locator("button.tr-save").click()
        page.wait_for_function(
            "document.getElementById('tr-msg') && !document.getElementById('tr-msg').hidden"
        )
        assert corrected in line.inner_text() and line.locator(".tr-edited").count() == 1
        line.locator("button.tr-hist").click()
        history = line.locator(".tr-versions")
        history.wait_for()
        assert "v1" in history.inner_text() and corrected in history.inner_text()
        assert "赵书记员" in history.inner_text()
        screenshot(page, "transcript-speaking-390")
        assert axe.audit(page) == []
        context.close()

        out = live.run("shell", "-c", CLOSE_AND_READ.format(session=made["session"]))
        assert out.returncode == 0, out.stderr
        saved = json.loads(out.stdout.strip().splitlines()[-1])
        assert [(s["speaker"], s["text"]) for s in saved] == [
            ("原告 张三", corrected),
            ("原告 张三", HEARD[1]),
        ]
        assert saved[0]["engine"] == HEARD[0]
        assert saved[0]["versions"] == [[1, HEARD[0], ""], [2, corrected, "赵书记员"]]
        assert saved[1]["versions"] == [[1, HEARD[1], ""]]
        # The hearing closed: the task ends and the worker, having nothing more, stops.
        assert worker.wait(timeout=60) == 0, (tmp_path / "worker.log").read_text()
    finally:
        with contextlib.suppress(Exception):
            bots.run(bot.hangup(), timeout=15)
        bots.stop()
        if worker.poll() is None:  # the test failed before the hearing closed
            worker.kill()
            worker.wait(timeout=10)
        log.close()
