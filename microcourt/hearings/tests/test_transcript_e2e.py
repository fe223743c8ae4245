"""庭审笔录 in Chromium on the real server (``microcourt serve``: uvicorn, Channels over
Redis, so a line written by another process — as the transcription worker writes them —
reaches the page through the courtroom socket): 赵书记员 edits a line in place in the
courtroom's transcript pane while new lines arrive, at a phone's 390 px and a desk's 1440 px;
the edit is saved as a new version with the engine's text kept as the first; the lines that
arrived meanwhile are shown without disturbing the line being edited. Every page is checked
by axe-core (tests/browser.py); screenshots in test-results/."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.browser import CHROMIUM, PHONE, browser, screenshot  # noqa: F401 - the fixture
from tests.live_server import live_server

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# The court, its judge and clerk (with a second factor), 张三 and 王五 and their case: a
# script's opening, shared with test_transcript_speaking_e2e.py.
CASE_SETUP = r"""
import datetime as dt, json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from allauth.mfa.models import Authenticator
from microcourt.cases.models import Case, CaseParticipant, CaseType
from microcourt.courts.tests.factories import CourtFactory, StaffFactory
from microcourt.identity.tests.factories import UserFactory

court = CourtFactory.haishu()
judge = StaffFactory(court=court, role="judge", user__username="judge_chen",
                     user__display_name="陈法官").user
clerk = StaffFactory(court=court, role="clerk", user__username="clerk_zhao",
                     user__display_name="赵书记员").user
for staff in (judge, clerk):
    Authenticator.objects.get_or_create(user=staff, type=Authenticator.Type.TOTP, data={})
zhang = UserFactory(username="plaintiff_zhang", display_name="张三", phone="13811112222")
wang = UserFactory(username="defendant_wang", display_name="王五", phone="13933334444")
now = timezone.now()
case = Case.objects.create(
    court=court, case_type=CaseType.objects.get(code="民初"), year=2025, serial=101,
    number="(2025)浙0203民初101号", title="张三诉王五民间借贷纠纷", cause="民间借贷纠纷",
    status="accepted", filed_by=zhang, filed_at=now, accepted_at=now,
)
for user, name, role in ((zhang, "张三", "plaintiff"), (wang, "王五", "defendant"),
                         (judge, "陈法官", "judge"), (clerk, "赵书记员", "clerk")):
    CaseParticipant.objects.create(case=case, user=user, display_name=name, role=role)
"""

SETUP = (
    CASE_SETUP
    + r"""
from microcourt.hearings.actions import room, transcript
from microcourt.hearings.models import Session
session = Session.objects.create(case=case, kind="hearing", starts_at=now, status="open",
                                 opened_at=now - dt.timedelta(minutes=5), stage="investigation",
                                 scheduled_by=judge)
room.seats_sync(session=session)
seats = {s.role: s for s in session.seats.all()}
for n, (role, text) in enumerate((("presiding_judge", "现在开庭，核对当事人身份。"),
                                  ("plaintiff", "被告借款五万元未还。"),
                                  ("defendant", "我已经还了两万元。"))):
    at = session.opened_at + dt.timedelta(seconds=10 * n)
    transcript.transcript_line_add(
        session_id=session.pk, seat_id=seats[role].pk, started_at=at,
        ended_at=at + dt.timedelta(seconds=4), text=text, engine="fake",
        source=f"feed-{seats[role].pk}", source_ms=10000 * n)

from microcourt.hearings.models import AttendanceEvent
for role in ("plaintiff", "defendant"):
    AttendanceEvent.objects.create(session=session, seat=seats[role], kind="joined", at=now)

def login(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "microcourt.identity.backends.UsernameOrPhoneBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key

print(json.dumps({"session": session.pk, "cookie": login(clerk), "zhang": login(zhang),
                  "case": case.pk, "seats": {r: s.pk for r, s in seats.items()}}))
"""
)

# Another process writes lines, as the transcription worker does.
ADD = r"""
import datetime as dt
from django.utils import timezone
from microcourt.hearings.actions import transcript
from microcourt.hearings.models import Seat
seat = Seat.objects.get(pk={seat})
at = timezone.now()
transcript.transcript_line_add(session_id=seat.session_id, seat_id=seat.pk, started_at=at,
    ended_at=at + dt.timedelta(seconds=3), text={text!r}, engine="fake",
    source=f"feed-{{seat.pk}}", source_ms={ms})
"""

# The judge lets the parties read live; later the hearing closes and the clerk sends the
# record for reading and signing.
LIVE = r"""
from microcourt.core.actor import Actor
from microcourt.hearings.actions import transcript
from microcourt.hearings.models import Session
session = Session.objects.get(pk={session})
judge = session.seats.get(role="presiding_judge").user
transcript.transcript_live_set(session=session, actor=Actor(user=judge, role="judge",
                               court_id=session.case.court_id), visible=True)
"""
SEND = r"""
from django.utils import timezone
from microcourt.core.actor import Actor
from microcourt.hearings.actions import transcript_record
from microcourt.hearings.models import Session
Session.objects.filter(pk={session}).update(status="closed", closed_at=timezone.now())
session = Session.objects.get(pk={session})
clerk = session.seats.get(role="clerk").user
transcript_record.transcript_send(session=session, actor=Actor(user=clerk, role="clerk",
                                  court_id=session.case.court_id))
"""

VERSIONS = r"""
import json
from microcourt.hearings.models import TranscriptLine
line = TranscriptLine.objects.get(session_id={session}, text__startswith={start!r})
print(json.dumps({{"engine": line.engine_text, "text": line.text,
                  "versions": [[v.number, v.text, v.by_name] for v in line.versions.all()]}}))
"""


@pytest.fixture(scope="module")
def court(tmp_path_factory):
    # Redis carries the events between processes (a database of its own for this test).
    with live_server(
        tmp_path_factory.mktemp("transcript-e2e"),
        ready="/accounts/login/",
        worker=False,
        MICROCOURT_JANUS_MANAGED="false",
        REDIS_URL="redis://127.0.0.1:6379/13",
    ) as live:
        made = live.run("shell", "-c", SETUP)
        assert made.returncode == 0, made.stderr
        yield live, json.loads(made.stdout.strip().splitlines()[-1])


def _run(live, code: str) -> str:
    done = live.run("shell", "-c", code)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _edit_while_lines_arrive(live, made, page, width: int, n: int) -> None:
    page.goto(f"{live.base}/hearings/{made['session']}/")
    page.wait_for_function("document.querySelectorAll('#tr-lines li').length >= 3")
    found = page.locator("#tr-lines li", has_text="我已经还了两万元" if n == 0 else "被告借款")
    line = page.locator(f"#tr-lines li[data-id='{found.get_attribute('data-id')}']")
    line.locator("button.tr-edit").click()
    area = line.locator("textarea")
    new_text = "我已经于2024年3月还了两万元。" if n == 0 else "被告借款五万元至今未还。"
    area.fill(new_text)
    before = page.locator("#tr-lines li").count()
    for i, (role, text) in enumerate(
        (
            ("plaintiff", f"对方的说法不属实（{width}）。"),
            ("presiding_judge", f"请双方举证（{width}）。"),
        )
    ):
        _run(live, ADD.format(seat=made["seats"][role], text=text, ms=100000 * (n + 1) + i))
    page.wait_for_function(
        f"document.querySelectorAll('#tr-lines li').length >= {before + 2}", timeout=15000
    )
    assert area.input_value() == new_text  # the arriving lines left the edit alone
    screenshot(page, f"transcript-pane-editing-{width}", width=width)
    line.locator("button.tr-save").click()
    page.wait_for_function(
        "document.getElementById('tr-msg') && !document.getElementById('tr-msg').hidden"
    )
    assert new_text in line.inner_text()
    line.locator("button.tr-hist").click()
    page.wait_for_selector("#tr-lines .tr-versions li")
    assert "语音识别" in line.locator(".tr-versions").inner_text()
    screenshot(page, f"transcript-pane-saved-{width}", width=width)
    start = "我已经于" if n == 0 else "被告借款五万元至今"
    out = _run(live, VERSIONS.format(session=made["session"], start=start))
    got = json.loads(out.strip().splitlines()[-1])
    assert got["text"] == new_text
    assert got["versions"][0][1] == got["engine"] and got["versions"][0][2] == ""
    assert got["versions"][-1][1:] == [new_text, "赵书记员"]


def test_the_clerk_edits_a_line_in_the_courtroom_pane_while_new_lines_arrive(
    court,
    browser,  # noqa: F811 - the fixture imported above
):
    assert shutil.which(CHROMIUM)
    live, made = court
    for n, width in enumerate((390, 1440)):
        options = PHONE if width == 390 else {"viewport": {"width": 1440, "height": 900}}
        context = browser.new_context(**options, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(20000)
        context.add_cookies([{"name": "sessionid", "value": made["cookie"], "url": live.base}])
        page = context.new_page()
        _edit_while_lines_arrive(live, made, page, width, n)
        context.close()


def test_a_party_reads_live_then_reads_the_record_and_asks_for_a_correction(
    court,
    browser,  # noqa: F811 - the fixture imported above
):
    live, made = court
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20000)
    context.add_cookies([{"name": "sessionid", "value": made["zhang"], "url": live.base}])
    page = context.new_page()
    page.goto(f"{live.base}/hearings/{made['session']}/transcript/live/")
    assert page.locator("#tr-off").is_visible()  # not before the judge allows it
    assert page.locator("#tr-lines li").count() == 0
    _run(live, LIVE.format(session=made["session"]))
    page.wait_for_function("document.querySelectorAll('#tr-lines li').length >= 3")
    assert "被告借款" in page.inner_text("#tr-lines")
    screenshot(page, "transcript-live-390")
    _run(live, SEND.format(session=made["session"]))
    page.goto(f"{live.base}/hearings/{made['session']}/transcript/{made['case']}/")
    body = page.inner_text("main, body")
    assert "阅读签名中" in body and "确认无误，去签名" in body
    screenshot(page, "transcript-reading-390")
    page.fill("#tr-text", "我方当庭提出调解意愿。")
    page.check("input[name=omission]")
    page.click("form:has(#tr-text) button[type=submit]")
    page.wait_for_selector(".tr-correction")
    assert "我方当庭提出调解意愿。" in page.inner_text(".tr-correction")
    screenshot(page, "transcript-correction-390")
    context.close()
