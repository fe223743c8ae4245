"""A party's request to attend offline (在线诉讼规则第五条) and the court's decision; the
scheduling pages (the case's sessions and the form, one session, 我的庭审) at work; every new
page and API route answers 404 to an outsider and changes nothing."""

from __future__ import annotations

import pytest

from microcourt.hearings.actions import scheduling
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import Mode, OfflineRequest, Participation, SeatRole, Session
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

from .conftest import with_second_factor
from .test_scheduling import consent

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def session(case, judge):
    consent(case, "张三", "王五")
    return scheduling.session_schedule(
        case=case, actor=judge, kind="hearing", starts_at=scheduling.first_allowed_start(case)
    )


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_party_asks_to_attend_offline_and_the_judge_grants_it(
    client, session, plaintiff_zhang, defendant_wang, judge_chen, clerk_zhao
):
    client.force_login(plaintiff_zhang)
    url = f"{API}/sessions/{session.pk}/offline-requests"
    bare = _post(client, url, {"reason": ""})
    assert bare.status_code == 400 and "reason" in bare.json()["error"]["fields"]
    made = _post(client, url, {"reason": "家中没有电脑，网络不稳定"})
    assert made.status_code == 201, made.content
    request_id = made.json()["id"]
    assert made.json()["status"] == "pending"
    assert _post(client, url, {"reason": "再申请一次"}).status_code == 409
    assert Entry.objects.filter(
        code=LedgerEvent.OFFLINE_REQUESTED, details__request=request_id
    ).exists()
    told = Notification.objects.filter(event="hearings.offline_requested")
    assert set(told.values_list("recipient_id", flat=True)) == {judge_chen.pk, clerk_zhao.pk}

    decide = f"{url}/{request_id}/decide"
    client.force_login(defendant_wang)  # the other side sees the session, may not decide
    assert _post(client, decide, {"grant": True}).status_code == 403
    client.force_login(judge_chen)
    assert client.get(url).json()[0]["id"] == request_id
    granted = _post(client, decide, {"grant": True, "venue": "第五法庭"})
    assert granted.status_code == 200, granted.content
    assert granted.json()["status"] == "granted"
    session.refresh_from_db()
    assert session.mode == Mode.MIXED and session.venue == "第五法庭"
    seat = session.seats.get(role=SeatRole.PLAINTIFF)
    assert seat.participation == Participation.OFFLINE
    assert session.seats.filter(role=SeatRole.COURTROOM).exists()  # the room joins as one
    entry = Entry.objects.get(code=LedgerEvent.OFFLINE_DECIDED, details__request=request_id)
    assert entry.details["granted"] is True and entry.details["mode"] == "mixed"
    decided = Notification.objects.get(event="hearings.offline_decided")
    assert decided.recipient_id == plaintiff_zhang.pk and "第五法庭" in decided.body
    assert _post(client, decide, {"grant": False, "note": "迟了"}).status_code == 409


def test_a_refusal_needs_its_reasons_and_keeps_the_party_online(
    client, session, plaintiff_zhang, judge_chen
):
    client.force_login(plaintiff_zhang)
    made = _post(client, f"{API}/sessions/{session.pk}/offline-requests", {"reason": "想去法院"})
    decide = f"{API}/sessions/{session.pk}/offline-requests/{made.json()['id']}/decide"
    client.force_login(judge_chen)
    bare = _post(client, decide, {"grant": False})
    assert bare.status_code == 400 and "note" in bare.json()["error"]["fields"]
    assert (
        _post(client, decide, {"grant": False, "note": "具备在线条件"}).json()["status"]
        == "refused"
    )
    assert session.seats.get(role=SeatRole.PLAINTIFF).participation == Participation.VIDEO


def test_the_court_has_nothing_to_ask(client, session, judge_chen):
    client.force_login(judge_chen)
    answer = _post(client, f"{API}/sessions/{session.pk}/offline-requests", {"reason": "线下审"})
    assert answer.status_code == 409
    assert not OfflineRequest.objects.exists()


def test_the_judge_schedules_from_the_case_page(client, case, judge_chen, plaintiff_zhang):
    consent(case, "张三", "王五")
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    page = client.get(f"/hearings/cases/{case.pk}/")
    assert page.status_code == 200 and "排期并送达传票" in page.content.decode()
    starts = scheduling.first_allowed_start(case)
    bad = client.post(f"/hearings/cases/{case.pk}/", {"kind": "hearing", "date": "", "time": ""})
    assert bad.status_code == 200 and "请选择开庭日期和时间" in bad.content.decode()
    assert not Session.objects.exists()
    done = client.post(
        f"/hearings/cases/{case.pk}/",
        {
            "kind": "hearing",
            "date": starts.strftime("%Y-%m-%d"),
            "time": starts.strftime("%H:%M"),
            "duration_minutes": "45",
            "mode": "online",
            "waiting_room": "on",
        },
    )
    session = Session.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/hearings/{session.pk}/schedule/"
    assert session.starts_at == starts and session.duration_minutes == 45
    detail = client.get(done["Location"]).content.decode()
    assert "传票" in detail and "改期" in detail

    client.force_login(plaintiff_zhang)  # a party sees the sessions, not the form
    mine = client.get(f"/hearings/cases/{case.pk}/").content.decode()
    assert "排期并送达传票" not in mine and f"/hearings/{session.pk}/schedule/" in mine
    refused = client.post(f"/hearings/cases/{case.pk}/", {"kind": "hearing"})
    assert refused.status_code == 403


def test_my_hearings_lists_the_session_with_its_links_and_takes_a_request(
    client, session, plaintiff_zhang
):
    client.force_login(plaintiff_zhang)
    page = client.get("/hearings/mine/").content.decode()
    assert session.case.number in page
    assert f"/hearings/{session.pk}/enter/" in page
    assert f"/hearings/{session.pk}/calendar.ics" in page
    refused = client.post("/hearings/mine/", {"session": session.pk, "reason": ""})
    assert refused.status_code == 200 and "请说明申请线下参加的理由" in refused.content.decode()
    sent = client.post("/hearings/mine/", {"session": session.pk, "reason": "不会使用视频设备"})
    assert sent.status_code == 302
    assert OfflineRequest.objects.get().seat.user_id == plaintiff_zhang.pk


def test_the_judge_reschedules_and_cancels_on_the_session_page(client, session, case, judge_chen):
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    url = f"/hearings/{session.pk}/schedule/"
    later = scheduling.first_allowed_start(case, days=7, hour=15)
    refused = client.post(url, {"action": "reschedule", "date": later.strftime("%Y-%m-%d"),
                                "time": "15:30", "reason": ""})  # fmt: skip
    assert refused.status_code == 200 and "请填写改期原因" in refused.content.decode()
    moved = client.post(url, {"action": "reschedule", "date": later.strftime("%Y-%m-%d"),
                              "time": "15:30", "reason": "法庭安排调整"})  # fmt: skip
    assert moved.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == later.replace(minute=30)
    assert client.post(url, {"action": "cancel", "reason": "撤诉"}).status_code == 302
    session.refresh_from_db()
    assert session.status == "cancelled"


def test_in_english_the_pages_speak_english(client, session, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    client.cookies["django_language"] = "en"
    page = client.get("/hearings/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My hearings" in page and "Add to calendar" in page


def test_an_outsider_finds_none_of_the_new_routes(client, session, case, outsider):
    client.force_login(outsider.user)
    request = OfflineRequest.objects.create(
        seat=session.seats.get(role=SeatRole.PLAINTIFF), reason="测试申请"
    )
    before = (Session.objects.values_list("status", "starts_at").get(), Entry.objects.count())
    pages = [
        f"/hearings/cases/{case.pk}/",
        f"/hearings/{session.pk}/schedule/",
        f"/hearings/{session.pk}/calendar.ics",
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "cancel", "reason": "x"}).status_code in (404, 405), url
    assert (
        client.post("/hearings/mine/", {"session": session.pk, "reason": "我要线下"}).status_code
        == 404
    )
    apis = [
        ("get", f"{API}/sessions/{session.pk}/calendar.ics"),
        ("get", f"{API}/sessions/{session.pk}/notices"),
        ("get", f"{API}/sessions/{session.pk}/offline-requests"),
        ("post", f"{API}/sessions/{session.pk}/reschedule"),
        ("post", f"{API}/sessions/{session.pk}/cancel"),
        ("post", f"{API}/sessions/{session.pk}/offline-requests"),
        ("post", f"{API}/sessions/{session.pk}/offline-requests/{request.pk}/decide"),
    ]
    bodies = {"reschedule": {"starts_at": session.starts_at.isoformat(), "reason": "x"},
              "cancel": {"reason": "x"}, "offline-requests": {"reason": "我要线下参加"},
              "decide": {"grant": True}}  # fmt: skip
    for method, url in apis:
        body = next((b for k, b in bodies.items() if url.endswith(k)), {})
        answer = getattr(client, method)(url, body, content_type="application/json")
        assert answer.status_code == 404, (url, answer.content)
    assert (
        Session.objects.values_list("status", "starts_at").get(),
        Entry.objects.count(),
    ) == before
    assert client.get(f"{API}/hearings/mine").json() == []
