"""The pages before and in the courtroom (issue 16 §2, §3, §8): a party goes through the device
check, a face check within 30 minutes (在线诉讼规则第七条), the courtroom rules with the ban on
private recording (第二十七条) and the waiting room, and is let into the courtroom only once the
clerk has admitted them; the court's people go straight in and get the console. Anyone
without a seat finds nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.staticfiles import finders

from microcourt.hearings.models import AttendanceEvent, Seat
from microcourt.ledger.models import Entry

from .conftest import age_checks

pytestmark = pytest.mark.django_db

PAGES = ("", "enter/", "enter/identity/", "enter/rules/", "waiting/")


@pytest.fixture
def session(case, judge, django_capture_on_commit_callbacks):
    """A 开庭 of the case four days from now (the notice period met), scheduled by the judge;
    marked as allowed on a rest day so the story does not depend on today's calendar."""
    from django.utils import timezone

    from microcourt.hearings.actions import scheduling

    with django_capture_on_commit_callbacks(execute=True):
        return scheduling.session_schedule(
            case=case,
            actor=judge,
            kind="hearing",
            starts_at=timezone.now() + dt.timedelta(days=4),
            duration_minutes=60,
            rest_day=True,
        )


def url(session, tail=""):
    return f"/hearings/{session.pk}/{tail}"


def seat_of(session, user):
    return Seat.objects.get(session=session, user=user)


def test_someone_without_a_seat_finds_nothing_on_any_step(client, session, outsider):
    client.force_login(outsider.user)
    before = Entry.objects.count()
    for tail in PAGES:
        for method in (client.get, client.post):
            response = method(url(session, tail), {"participation": "video", "agree": "yes"})
            assert response.status_code in (404, 405), (tail, response.status_code)
    missing = client.get(f"/hearings/{session.pk + 999}/enter/")
    assert missing.status_code == 404
    assert Entry.objects.count() == before


def test_a_party_walks_the_steps_into_the_waiting_room(client, session, zhang, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    check = client.get(url(session, "enter/"))
    assert check.status_code == 200
    html = check.content.decode()
    # Step 1 of 4, the camera, the microphone, the bandwidth and the three ways to take part.
    assert "第 1 步，共 4 步" in html
    for words in ("摄像头", "麦克风", "网络", "视频", "仅音频", "文字"):
        assert words in html, words
    assert "hearings/probe" in html and 'data-probe-bytes="131072"' in html
    # The large media library is for the courtroom only.
    assert "janus" not in html

    chosen = client.post(url(session, "enter/"), {"participation": "text"})
    assert chosen.status_code == 302 and chosen["Location"] == url(session, "enter/identity/")
    # Verified in person minutes ago: the face check is fresh, on to the rules.
    fresh = client.get(url(session, "enter/identity/"))
    assert fresh.status_code == 302 and fresh["Location"] == url(session, "enter/rules/")

    rules = client.get(url(session, "enter/rules/")).content.decode()
    assert "第 3 步，共 4 步" in rules
    assert "严禁私自录音、录像、拍照、截屏" in rules and "第二十七条" in rules

    before = Entry.objects.count()
    refused = client.post(url(session, "enter/rules/"), {})
    assert refused.status_code == 400
    assert "请勾选" in refused.content.decode()
    seat = seat_of(session, plaintiff_zhang)
    assert seat.rules_acknowledged_at is None and seat.status == "invited"
    assert Entry.objects.count() == before

    agreed = client.post(url(session, "enter/rules/"), {"agree": "yes"})
    assert agreed.status_code == 302 and agreed["Location"] == url(session, "waiting/")
    seat.refresh_from_db()
    assert seat.rules_acknowledged_at is not None
    assert seat.status == "waiting"
    assert AttendanceEvent.objects.filter(seat=seat, kind="waiting").exists()

    waiting = client.get(url(session, "waiting/")).content.decode()
    assert "候审室" in waiting and "尚未开庭" in waiting
    assert "第 4 步，共 4 步" in waiting
    # Not admitted, not open: the courtroom sends the party back to the waiting room.
    inside = client.get(url(session))
    assert inside.status_code == 302 and inside["Location"] == url(session, "waiting/")


def test_a_stale_face_check_sends_the_party_to_the_recheck_and_back(
    client, session, zhang, plaintiff_zhang
):
    from microcourt.assist.tests import faces

    age_checks(plaintiff_zhang, dt.timedelta(minutes=31))
    client.force_login(plaintiff_zhang)
    for tail in ("enter/rules/", "waiting/", ""):
        response = client.get(url(session, tail))
        assert response.status_code == 302, tail
        assert response["Location"] == url(session, "enter/identity/"), tail
    page = client.get(url(session, "enter/identity/"))
    assert page.status_code == 200
    html = page.content.decode()
    back = url(session, "enter/identity/")
    assert f'href="/accounts/verify/recheck/?purpose=hearing&amp;next={back}"' in html
    assert "第七条" in html
    # Nothing acknowledged by sending the form anyway.
    client.post(url(session, "enter/rules/"), {"agree": "yes"})
    assert seat_of(session, plaintiff_zhang).rules_acknowledged_at is None

    # The re-check page itself: a new selfie against the ID card, and back to the hearing.
    form = client.get(f"/accounts/verify/recheck/?purpose=hearing&next={back}")
    assert f'value="{back}"' in form.content.decode()
    card, selfie = io.BytesIO(faces.id_card()), io.BytesIO(faces.selfie())
    card.name, selfie.name = "card.jpg", "selfie.jpg"
    done = client.post(
        "/accounts/verify/recheck/",
        {"purpose": "hearing", "next": back, "id_front": card, "selfie": selfie},
    )
    assert done.status_code == 302 and done["Location"] == url(session, "enter/identity/")
    onward = client.get(done["Location"])
    assert onward.status_code == 302 and onward["Location"] == url(session, "enter/rules/")


def test_a_bad_choice_on_the_device_check_names_the_field_and_changes_nothing(
    client, session, zhang, plaintiff_zhang
):
    client.force_login(plaintiff_zhang)
    response = client.post(url(session, "enter/"), {"participation": "hologram"})
    assert response.status_code == 400
    assert "请选择参加方式" in response.content.decode()
    assert "hearing_participation" not in client.session


def test_the_court_goes_straight_in_with_the_console(client, session, judge, judge_chen):
    client.force_login(judge_chen)
    first = client.post(url(session, "enter/"), {"participation": "video"})
    # No face check, no waiting room for the court: device, then the rules, then the room.
    assert first["Location"] == url(session, "enter/rules/")
    rules = client.get(url(session, "enter/rules/")).content.decode()
    assert "第 2 步，共 2 步" in rules
    entered = client.post(url(session, "enter/rules/"), {"agree": "yes"})
    assert entered.status_code == 302 and entered["Location"] == url(session)
    page = client.get(url(session))
    assert page.status_code == 200
    html = page.content.decode()
    assert "审判长控制台" in html
    assert "宣布开庭" in html and "全体静音" in html and "展示证据" in html
    assert "海曙区人民法院" in html and "(2025)浙0203民初101号" in html
    # All the stages, the current one marked.
    stages = "宣布开庭 核对身份 告知权利义务·回避 法庭调查 举证质证 法庭辩论 最后陈述 调解意愿"
    for stage in stages.split():
        assert stage in html, stage
    # janus.js and its adapter come from our own static files, loaded by this page only.
    assert "vendor/janus-gateway/janus.es" in html and "vendor/webrtc-adapter/adapter" in html
    assert finders.find("vendor/janus-gateway/janus.es.js")
    assert finders.find("vendor/webrtc-adapter/adapter.js")


def test_the_clerk_sees_who_waits_with_their_verified_name(
    client, session, clerk, clerk_zhao, zhang, plaintiff_zhang
):
    from microcourt.hearings.actions import room

    room.seat_acknowledge_rules(session=session, actor=zhang)
    room.seat_wait(session=session, actor=zhang)
    client.force_login(clerk_zhao)
    page = client.get(url(session))
    assert page.status_code == 200
    html = page.content.decode()
    assert "书记员控制台" in html and "审判长控制台" not in html
    seat = seat_of(session, plaintiff_zhang)
    # The identity the clerk checks before admitting: the verified name, the ID number masked.
    assert f'"{seat.pk}": {{"name": "\\u5f20\\u4e09", "id_number": "3302' in html
    assert "198801021235" not in html


def test_english_pages_are_complete(client, session, zhang, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    client.cookies["django_language"] = "en"
    html = client.get(url(session, "enter/")).content.decode()
    for words in ("Device check", "Camera", "Microphone", "Step 1 of 4", "Audio only", "Text"):
        assert words in html, words
    client.post(url(session, "enter/"), {"participation": "video"})
    rules = client.get(url(session, "enter/rules/")).content.decode()
    assert "Article 27" in rules and "recording" in rules


def three_pages() -> bytes:
    from weasyprint import HTML

    pages = "".join(
        f'<p style="page-break-after: always; font-size: {size}pt">借条 第{n}页</p>'
        for n, size in ((1, 20), (2, 60), (3, 30))
    )
    return HTML(string=pages).write_pdf()


def test_the_exhibit_on_screen_is_shown_at_the_page_the_judge_set(
    client, session, judge, zhang, plaintiff_zhang, outsider, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from microcourt.evidence import actions as evidence_actions
    from microcourt.hearings.actions import control

    exhibit = evidence_actions.exhibit_submit(
        case=session.case,
        actor=zhang,
        upload=SimpleUploadedFile("借条.pdf", three_pages(), "application/pdf"),
        name="借条",
        source="被告书写",
        purpose="证明借款事实",
        pages=3,
    )
    client.force_login(plaintiff_zhang)
    # Nothing on screen: nothing to see.
    assert client.get(url(session, "exhibit/1/")).status_code == 404
    control.session_exhibit_show(session=session, actor=judge, number=exhibit.number, page=2)

    pictures = {}
    for page in (1, 2, 3):
        response = client.get(url(session, f"exhibit/{page}/"))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        pictures[page] = Image.open(io.BytesIO(response.content))
    # Each page is its own picture (not the first page's preview under another number).
    assert len({p.tobytes() for p in pictures.values()}) == 3
    assert client.get(url(session, "exhibit/4/")).status_code == 404
    assert client.get(url(session, "exhibit/0/")).status_code == 404

    client.force_login(outsider.user)
    assert client.get(url(session, "exhibit/2/")).status_code == 404


def test_english_steps_and_courtroom_carry_no_untranslated_chinese(
    client, session, zhang, plaintiff_zhang, judge_chen
):
    import re

    han = re.compile(r"[\u4e00-\u9fff]+")
    # Data, not interface: the court's and the people's names, the case number and title.
    data = {"宁波市海曙区人民法院", "浙", "民初", "号", "张三", "陈法官", "赵书记员", "王五"}
    data |= set(han.findall(session.case.title))

    def leftovers(html):
        text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S).replace("中文", "")
        return [w for w in han.findall(text) if w not in data]

    client.force_login(plaintiff_zhang)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for tail in ("enter/", "enter/rules/"):
        assert leftovers(client.get(url(session, tail)).content.decode()) == [], tail
    client.post(url(session, "enter/rules/"), {"agree": "yes"})
    assert leftovers(client.get(url(session, "waiting/")).content.decode()) == []
    client.force_login(judge_chen)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert leftovers(client.get(url(session)).content.decode()) == []
