"""The court's hearing pages in Chromium (issue 16), at a phone's 390 px and a desk's 1440 px,
every page checked by axe-core (tests/browser.py):

- 赵书记员 schedules a 开庭 through the case's form, filling each field a person fills, and
  finds it listed; a second session at the same time is refused, naming the time field;
- 陈法官 switches a hearing of a case involving a minor to public and is refused, the page
  naming the ground; nothing changes;
- 陈法官 decides the case's procedure (summary), records the conditions of 在线诉讼规则第二十条
  and sets the first stage's deadline on the asynchronous-trial page;
- 陈法官 allows 张三 to download the recording on its page.

Staff log in with a second factor enrolled (``with_second_factor``); the browser gets the
session the test client made. Screenshots: /tmp/e2e-shots/ (and test-results/)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from microcourt.core.jobs import outlast_locks
from microcourt.hearings.models import (
    AsyncStageDeadline,
    CasePublicity,
    Recording,
    Session,
)
from tests.browser import CHROMIUM, PHONE, browser  # noqa: F401 - the fixture

from .test_async_trial import exchanged  # noqa: F401 - the fixture
from .test_public_switch import schedule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def sync_db_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; the test's own database calls
    (made between browser steps, never inside the loop) are still plain synchronous ones."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def as_user(browser, live_server, sync_db_beside_playwright):  # noqa: F811
    """A page logged in as ``user`` at ``width`` px (390: a phone; 1440: a desk)."""
    assert shutil.which(CHROMIUM)

    def page_for(user, width: int = 390):
        client = Client()
        # The live server's thread shares the in-memory SQLite database and may hold the
        # session table a moment (a page still loading): wait it out, as a request would.
        outlast_locks(lambda: client.force_login(user))
        if width < 400:  # a phone: 390 px, or a small one at 360 px
            options = {**PHONE, "viewport": {"width": width, "height": 800}}
        else:
            options = {"viewport": {"width": width, "height": 900}}
        context = browser.new_context(**options, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(20000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return context.new_page()

    return page_for


def shot(page, name: str, width: int = 390) -> None:
    """Nothing scrolls sideways; the whole page saved for a person to look at."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_clerk_schedules_a_hearing_through_the_form_and_a_clash_names_the_time(
    as_user, live_server, case, clerk, clerk_zhao
):
    from microcourt.hearings.actions import scheduling

    starts = timezone.localtime(scheduling.first_allowed_start(case))
    page = as_user(clerk_zhao)
    page.goto(f"{live_server.url}/hearings/cases/{case.pk}/")
    assert "本案尚无庭审安排" in page.inner_text("main, body")
    shot(page, "schedule-empty-390")

    page.select_option("select[name=kind]", "hearing")
    page.fill("input[name=date]", f"{starts:%Y-%m-%d}")
    page.fill("input[name=time]", f"{starts:%H:%M}")
    page.fill("input[name=duration_minutes]", "90")
    page.select_option("select[name=mode]", "online")
    page.fill("input[name=venue]", "第三法庭")
    page.check("input[name=waiting_room]")
    page.click("form:has(select[name=kind]) button[type=submit]")
    page.wait_for_load_state()
    if "/schedule/" not in page.url:
        shot(page, "schedule-debug-390")
        raise AssertionError(page.inner_text("body")[:2000])
    page.wait_for_url(f"{live_server.url}/hearings/*/schedule/")
    made = Session.objects.get(case=case)
    assert (made.kind, made.mode, made.venue, made.duration_minutes) == (
        "hearing",
        "online",
        "第三法庭",
        90,
    )
    assert (
        timezone.localtime(made.starts_at).strftime("%Y-%m-%d %H:%M") == f"{starts:%Y-%m-%d %H:%M}"
    )
    assert made.waiting_room is True
    shot(page, "schedule-session-390")

    page.goto(f"{live_server.url}/hearings/cases/{case.pk}/")
    listed = page.inner_text(".weui-cells >> nth=0")
    assert f"开庭 · {starts:%Y-%m-%d %H:%M}" in listed and "第三法庭" in listed

    # The same time again: the panel is busy, and the form says so at the time field.
    page.fill("input[name=date]", f"{starts:%Y-%m-%d}")
    page.fill("input[name=time]", f"{starts:%H:%M}")
    page.fill("input[name=venue]", "第五法庭")
    page.click("form:has(select[name=kind]) button[type=submit]")
    error = page.locator("[role=alert] [data-field=starts_at]")
    error.wait_for()
    assert error.inner_text().strip()
    # What the clerk typed is still there.
    assert page.input_value("input[name=venue]") == "第五法庭"
    assert Session.objects.filter(case=case).count() == 1
    shot(page, "schedule-clash-390")

    for width in (360, 1440):
        other = as_user(clerk_zhao, width)
        other.goto(f"{live_server.url}/hearings/cases/{case.pk}/")
        assert "第三法庭" in other.inner_text("body")
        shot(other, f"schedule-{width}", width)
        other.goto(f"{live_server.url}/hearings/{made.pk}/schedule/")
        shot(other, f"schedule-session-{width}", width)


def test_the_judge_is_refused_a_public_hearing_of_a_case_with_a_minor(
    as_user, live_server, case, judge, judge_chen
):
    from microcourt.hearings.actions import publicity

    session = schedule(case, judge)
    publicity.publicity_set(case=case, actor=judge, ground="minor", note="原告之子年仅9岁")
    for width in (360, 390, 1440):
        page = as_user(judge_chen, width)
        page.goto(f"{live_server.url}/hearings/cases/{case.pk}/publicity/")
        assert "涉及未成年人" in page.inner_text("#bars")
        assert page.locator("#ground").input_value() == "minor"
        page.click(f"form:has(input[name=session][value='{session.pk}']) button[name=public]")
        alert = page.locator("[role=alert]")
        alert.wait_for()
        assert "本案依法不得公开直播" in alert.inner_text()
        assert "涉及未成年人" in page.locator("[role=alert] [data-field=public]").inner_text()
        shot(page, f"publicity-refused-{width}", width)
        session.refresh_from_db()
        assert session.public is False
    assert CasePublicity.objects.get(case=case).ground == "minor"


def test_the_judge_decides_the_procedure_records_the_conditions_and_sets_a_deadline(
    as_user,
    live_server,
    case,
    judge,
    judge_chen,
    zhang,
    wang,
    exchanged,  # noqa: F811 - the fixture imported above
):
    from microcourt.hearings.actions import async_trial

    session = schedule(case, judge, procedure="async")
    async_trial.async_apply(session=session, actor=zhang, reason="被告在外地务工，无法同时在线")
    async_trial.async_consent(session=session, actor=wang, agree=True)

    page = as_user(judge_chen)
    url = f"{live_server.url}/hearings/{session.pk}/async/"
    page.goto(url)
    assert "尚未确定审理程序" in page.inner_text("[data-missing=procedure]")
    shot(page, "async-undecided-390")

    # The case's procedure, decided here by its judge.
    page.select_option("#procedure", "summary")
    page.click("#procedure-form button[type=submit]")
    page.wait_for_url(url)
    assert page.inner_text("#case-procedure").strip() == "简易程序"
    case.refresh_from_db()
    assert case.procedure == "summary"
    assert page.locator("#procedure-form").count() == 0

    # Conditions (1) and (3) with the basis.
    page.check("#conditions-form input[name=simultaneous_hard]")
    page.check("#conditions-form input[name=facts_undisputed]")
    page.fill("#basis", "被告在新疆务工，双方无法同时在线；证据交换中对借条真实性无异议")
    page.click("#conditions-form button[type=submit]")
    page.wait_for_url(url)
    assert page.locator("[data-missing]").count() == 0
    assert async_trial.async_state(session).ready

    # The first stage's deadline, three days on.
    due = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    page.fill("#due-investigation", f"{due:%Y-%m-%dT%H:%M}")
    page.click("#stage-investigation button[type=submit]")
    page.wait_for_url(url)
    assert f"{due:%Y-%m-%d %H:%M}" in page.inner_text("#stage-investigation")
    assert AsyncStageDeadline.objects.get(session=session, stage="investigation").due_at == due
    shot(page, "async-ready-390")

    for width in (360, 1440):
        other = as_user(judge_chen, width)
        other.goto(url)
        assert "简易程序" in other.inner_text("#conditions")
        shot(other, f"async-ready-{width}", width)


@pytest.fixture
def recorded(case, judge, tmp_path):
    """A hearing that sat and closed, its recording built (a real two-second mp4)."""
    import hashlib

    out = tmp_path / "hearing.mp4"
    source = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "2", "-pix_fmt", "yuv420p"]
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *source, str(out)], check=True)
    session = schedule(case, judge)
    Session.objects.filter(pk=session.pk).update(
        status="closed", opened_at=timezone.now(), closed_at=timezone.now()
    )
    data = out.read_bytes()
    name = default_storage.save(f"hearing-recordings/e2e-{session.pk}.mp4", ContentFile(data))
    Recording.objects.update_or_create(
        session=session,
        defaults={
            "status": "ready",
            "file": name,
            "duration_seconds": 2.0,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return session


def test_the_judge_allows_zhang_to_download_the_recording(
    as_user, live_server, recorded, judge_chen, plaintiff_zhang
):
    seat = recorded.seats.get(user=plaintiff_zhang)
    for width in (390, 360, 1440):
        page = as_user(judge_chen, width)
        page.goto(f"{live_server.url}/hearings/{recorded.pk}/recording/")
        row = page.locator(f"form:has(input[name=user_id][value='{plaintiff_zhang.pk}'])")
        assert seat.label in row.inner_text()
        if width == 390:
            row.get_by_role("button", name="准许下载").click()
            page.wait_for_url(f"{live_server.url}/hearings/{recorded.pk}/recording/")
            row = page.locator(f"form:has(input[name=user_id][value='{plaintiff_zhang.pk}'])")
        assert row.get_by_role("button", name="撤回下载许可").is_visible()
        shot(page, f"recording-permission-{width}", width)
    recording = Recording.objects.get(session=recorded)
    assert recording.download_allowed == [plaintiff_zhang.pk]

    # 张三 now finds the download on his own page.
    party = as_user(plaintiff_zhang)
    party.goto(f"{live_server.url}/hearings/{recorded.pk}/recording/")
    assert party.get_by_role("link", name="下载原始录像（经法院准许）").is_visible()
    shot(party, "recording-party-390")
