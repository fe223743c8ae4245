"""End to end in Chromium with a fake camera and microphone, through a real Janus (issue 16,
Tests): the demo case 张三 v. 李四 has a hearing today. The presiding judge (demo_judge, a
1440 px desktop) enters and opens it; 张三 (demo_citizen, a 390 px phone) checks his devices,
passes the face re-check (his last check is over 30 minutes old), acknowledges the courtroom
rules and waits; the clerk (demo_clerk, in text) admits him after seeing his verified name;
his page moves into the courtroom by itself and shows the judge's live video; the judge mutes
him and his page says so and stops sending sound; the judge shows an exhibit at page 2 and
张三 sees that page. Screenshots: test-results/hearing-*.png."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from tests.browser import CHROMIUM, PHONE, log_in, media_browser, screenshot  # noqa: F401
from tests.janus_support import janus_server  # noqa: F401 - the fixture
from tests.live_server import get, live_server

pytestmark = pytest.mark.e2e

WAIT = 30000  # ms: media set-up on a shared 2-core machine
DESKTOP = {"viewport": {"width": 1440, "height": 900}}

# Run in the server's own environment (`microcourt shell`): a hearing of the demo case today,
# a three-page exhibit of 张三's, and 张三's face check made 31 minutes old.
SETUP = r"""
import datetime as dt, json
from django.core.files.base import ContentFile
from django.utils import timezone
from weasyprint import HTML
from microcourt.cases.models import CaseParticipant
from microcourt.core.actor import Actor
from microcourt.courts.selectors import staff_actor
from microcourt.evidence import actions as evidence_actions
from microcourt.hearings.actions import scheduling
from microcourt.hearings.models import Session
from microcourt.identity.models import User, Verification

zhang = User.objects.get(username="demo_citizen")
judge = User.objects.get(username="demo_judge")
case = CaseParticipant.objects.get(user=zhang, role="plaintiff", case__number__isnull=False).case
court_judge = staff_actor(judge, court=case.court)
# The demo's own hearing of this case today, if the demo has one; else one is scheduled.
session = Session.objects.filter(case=case, status="scheduled").order_by("starts_at").first()
if session is None:
    session = scheduling.session_schedule(
        case=case, actor=court_judge, kind="hearing",
        starts_at=timezone.now() + dt.timedelta(minutes=10), duration_minutes=60,
        notice_waived=True, waiver_note="双方当事人同意今日开庭（测试）", rest_day=True,
    )
pages = "".join(
    f'<p style="page-break-after: always; font-size: 40pt">借条 第{n}页</p>' for n in (1, 2, 3)
)
pdf = ContentFile(HTML(string=pages).write_pdf())
pdf.name = "借条.pdf"
exhibit = evidence_actions.exhibit_submit(
    case=case, actor=Actor.citizen(zhang), upload=pdf, name="借条", source="被告书写",
    purpose="证明借款事实", pages=3,
)
Verification.objects.filter(user=zhang).update(created_at=timezone.now() - dt.timedelta(minutes=31))
print(json.dumps({"session": session.pk, "case": case.pk, "exhibit": exhibit.number}))
"""

# A tile's video has shown frames: real pictures decoded from the remote stream.
FRAMES = """(sel) => new Promise((resolve) => {
  const v = document.querySelector(sel);
  if (!v || !v.videoWidth) return resolve(0);
  let n = 0;
  const tick = () => { n += 1; if (n >= 5) resolve(n); else v.requestVideoFrameCallback(tick); };
  v.requestVideoFrameCallback(tick);
  setTimeout(() => resolve(n), 5000);
})"""

# The publisher's Opus, as negotiated and as sent: the fmtp of the Opus payload type in our
# offer (what Janus received) and in Janus's answer (what the browser's encoder follows), and
# the audio bytes per packet sent over two seconds.
OPUS_SENT = """async () => {
  const pc = window.__courtroom.media.pub.webrtcStuff.pc;
  const fmtp = (sdp) => {
    const pt = (/a=rtpmap:(\\d+) opus\\/48000/i.exec(sdp) || [])[1];
    const line = sdp.split(/\\r?\\n/).find((l) => l.startsWith(`a=fmtp:${pt} `));
    return line ? line.slice(line.indexOf(" ") + 1) : "";
  };
  const sent = async () => {
    let bytes = 0, packets = 0;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "audio") {
        bytes = r.bytesSent;
        packets = r.packetsSent;
      }
    });
    return [bytes, packets];
  };
  const [b0, p0] = await sent();
  await new Promise((r) => setTimeout(r, 2000));
  const [b1, p1] = await sent();
  return { offer: fmtp(pc.localDescription.sdp), answer: fmtp(pc.remoteDescription.sdp),
           packets: p1 - p0, perPacket: (b1 - b0) / Math.max(1, p1 - p0) };
}"""


@pytest.fixture(scope="module")
def hearing(tmp_path_factory, janus_server):  # noqa: F811
    assert shutil.which(CHROMIUM), "Debian chromium is missing: run `make test` (installs it)"
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
    }
    # Up when the log-in page answers; then the worker (it makes the exhibit's preview) may
    # take a while on a busy machine: /healthz says when it has started.
    with live_server(
        tmp_path_factory.mktemp("e2e-hearing"), ready="/accounts/login/", demo=True, **env
    ) as live:
        deadline = time.monotonic() + 240
        while True:
            try:
                get(live.base + "/healthz", timeout=5)
                break
            except Exception:
                assert time.monotonic() < deadline, (live.data / "server.log").read_text()[-3000:]
                time.sleep(1)
        made = live.run("shell", "-c", SETUP)
        assert made.returncode == 0, made.stderr
        info = json.loads(made.stdout.strip().splitlines()[-1])
        yield live.base, info


def context(browser, size):
    options = PHONE if size == "phone" else DESKTOP
    ctx = browser.new_context(**options, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(WAIT)
    return ctx.new_page()


def enter_as_court(page, base, sid, participation):
    page.goto(f"{base}/hearings/{sid}/enter/")
    page.check(f"input[name=participation][value={participation}]")
    page.click("#hr-check button[type=submit]")
    page.wait_for_url(f"{base}/hearings/{sid}/enter/rules/")
    page.check("input[name=agree]")
    page.click("form.hr-form button[type=submit]")
    page.wait_for_url(f"{base}/hearings/{sid}/")


def test_a_party_enters_is_admitted_sees_the_judge_is_muted_and_sees_the_exhibit(
    media_browser,  # noqa: F811
    hearing,
):
    from microcourt.assist.tests import faces

    base, info = hearing
    sid = info["session"]

    # The presiding judge enters (no face check, no waiting room) and opens the hearing.
    judge = context(media_browser, "desktop")
    log_in(judge, base, "demo_judge")
    enter_as_court(judge, base, sid, "video")
    judge.wait_for_selector(".hr-tile.is-me video")
    judge.click("button[data-life=open]")
    judge.wait_for_selector("#hr-status[data-status=open]")
    assert "进行中" in judge.inner_text("#hr-status")

    # 张三 on his phone: the device check sees the fake camera and microphone and the speed.
    party = context(media_browser, "phone")
    log_in(party, base, "demo_citizen")
    party.goto(f"{base}/hearings/{sid}/enter/")
    assert "第 1 步，共 4 步" in party.inner_text(".hr-steps")
    party.wait_for_function("document.getElementById('hr-preview').videoWidth > 0")
    party.wait_for_selector("#hr-net-result[data-mbps]")
    assert float(party.get_attribute("#hr-net-result", "data-mbps")) > 1
    assert party.is_checked("input[name=participation][value=video]")
    screenshot(party, "hearing-390-device-check")
    party.click("#hr-check button[type=submit]")

    # His face check is 31 minutes old: the hearing sends him to the re-check and back.
    party.wait_for_url(f"{base}/hearings/{sid}/enter/identity/")
    party.click("#hr-recheck")
    party.wait_for_url("**/accounts/verify/recheck/**")
    party.set_input_files(
        "#id_front", {"name": "card.jpg", "mimeType": "image/jpeg", "buffer": faces.id_card()}
    )
    party.set_input_files(
        "#selfie", {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": faces.selfie()}
    )
    party.click("form.weui-form[enctype] button[type=submit]")
    party.wait_for_url(f"{base}/hearings/{sid}/enter/rules/", timeout=60000)
    assert "严禁私自录音、录像" in party.content()
    party.check("input[name=agree]")
    party.click("form.hr-form button[type=submit]")
    party.wait_for_url(f"{base}/hearings/{sid}/waiting/")
    party.wait_for_selector("#hr-wait-msg:has-text('书记员正在核对身份')")
    screenshot(party, "hearing-390-waiting")

    # The clerk (in text, on a desktop) sees him waiting with his verified name, and admits him.
    clerk = context(media_browser, "desktop")
    log_in(clerk, base, "demo_clerk")
    enter_as_court(clerk, base, sid, "text")
    row = clerk.locator("#hr-waiting-list .hr-person", has_text="原告 张三")
    row.wait_for()
    assert "实名：张三" in row.inner_text()
    row.locator("button[data-op=admit]").click()

    # His page goes into the courtroom by itself and shows the judge's live picture.
    party.wait_for_url(f"{base}/hearings/{sid}/")
    judge_tile = party.locator(".hr-tile:not(.is-me)", has_text="审判长")
    judge_tile.wait_for()
    party.wait_for_function(
        "[...document.querySelectorAll('.hr-tile:not(.is-me) video')].some(v => v.videoWidth > 0)"
    )
    frames = party.evaluate(FRAMES, ".hr-tile:not(.is-me) video")
    assert frames >= 5, "the judge's video shows no frames on the party's page"
    assert "陈法官" in judge_tile.inner_text()
    # The judge sees him too, labelled with his seat.
    judge.locator(".hr-tile:not(.is-me)", has_text="原告 张三").wait_for()

    # Both send constant-bitrate Opus at 32 kbit/s, so Janus fills its 4 KiB recording blocks
    # as fast in a pause as in speech and the transcript does not lag (docs/hearings.md): the
    # offer and the answer ask for it, and the encoder keeps to it, 80 bytes per 20 ms packet
    # in the fake microphone's silences too (variable bitrate: about 60 bytes here).
    for page in (judge, party):
        opus = page.evaluate(OPUS_SENT)
        for side in ("offer", "answer"):
            params = dict(p.split("=", 1) for p in opus[side].split(";") if "=" in p)
            assert params.get("cbr") == "1" and params.get("maxaveragebitrate") == "32000", opus
        assert opus["packets"] >= 50 and 79 <= opus["perPacket"] <= 81, opus

    # The judge mutes him: his page says so and stops sending sound.
    judge.locator("#hr-seat-list .hr-person", has_text="原告 张三").locator(
        "button[data-op=mute]"
    ).click()
    party.wait_for_selector("#hr-notice:has-text('您已被审判长静音')")
    assert party.is_disabled("#hr-mic")
    party.wait_for_function("window.__courtroom.media.pub.isAudioMuted() === true")

    # The judge shows the exhibit at page 2: 张三 sees it at that page.
    judge.select_option("#hr-ex-select", str(info["exhibit"]))
    judge.fill("#hr-ex-page", "2")
    judge.click("#hr-ex-show")
    party.wait_for_selector("#hr-exhibit:not([hidden])[data-page='2']")
    assert "借条" in party.inner_text("#hr-exhibit-title")
    assert "第 2 页，共 3 页" in party.inner_text("#hr-exhibit-page")
    # The picture is page 2 itself, not the first page's preview under another number.
    party.wait_for_function(
        "(() => { const i = document.getElementById('hr-exhibit-img');"
        " return !i.hidden && i.complete && i.naturalWidth > 0; })()"
    )
    assert f"/hearings/{sid}/exhibit/2/" in party.get_attribute("#hr-exhibit-img", "src")
    pages = party.evaluate(
        """async (sid) => Promise.all([1, 2].map(async (n) => {
             const r = await fetch(`/hearings/${sid}/exhibit/${n}/`);
             return r.ok ? Array.from(new Uint8Array(await r.arrayBuffer())).join(",") : "";
           }))""",
        sid,
    )
    assert pages[0] and pages[1] and pages[0] != pages[1]

    screenshot(party, "hearing-390-courtroom")
    screenshot(judge, "hearing-1440-courtroom", width=1440)

    # 张三 hangs up: the page leaves and says so.
    party.click("#hr-hangup")
    party.wait_for_selector("text=您已退出法庭")
