"""The courtroom socket through the channel layer and the project's ASGI routing: the state on
connect, the judge's controls reaching everyone, a party's attempt refused, outsiders closed
with 4404, and the witness who waits outside (在线诉讼规则第二十六条) hearing nothing of the
room until called. The same over the real server: test_socket_live.py."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from microcourt.hearings import roomstate
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import Seat
from microcourt.ledger.models import Entry
from microcourt.routing import websocket_urlpatterns

from . import test_control

# The stories' fixtures (the room, open; 钱证人; 张三's exhibits).
opened, witness_qian, exhibits = (
    test_control.opened,
    test_control.witness_qian,
    test_control.exhibits,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

APP = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))


def socket(user, session_id: int) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(APP, f"/ws/hearings/{session_id}/")
    comm.scope["user"] = user  # what AuthMiddlewareStack finds in the session
    return comm


async def connected(user, session) -> tuple[WebsocketCommunicator, dict]:
    comm = socket(user, session.pk)
    ok, _sub = await comm.connect()
    assert ok
    state = await comm.receive_json_from(timeout=5)
    assert state["event"] == "state", state
    return comm, state


async def next_event(comm, name: str, timeout: float = 5) -> dict:
    """The next message named ``name``, skipping others (attendance lines …)."""
    while True:
        got = await comm.receive_json_from(timeout=timeout)
        if got["event"] == name:
            return got


async def refused(comm) -> int:
    ok, _sub = await comm.connect()
    assert ok  # accepted, so that the close code reaches the browser
    closed = await comm.receive_output(timeout=5)
    assert closed["type"] == "websocket.close", closed
    return closed["code"]


seat_of = sync_to_async(lambda session, role: session.seats.get(role=role))
count = sync_to_async(lambda code: Entry.objects.filter(code=code).count())


async def test_the_judge_mutes_a_party_over_the_socket_and_she_hears_it(
    opened, judge_chen, plaintiff_zhang
):
    party, pstate = await connected(plaintiff_zhang, opened)
    judge, jstate = await connected(judge_chen, opened)
    zhang = await seat_of(opened, "plaintiff")
    assert pstate["in_room"] and pstate["my_seat_id"] == zhang.pk
    assert "attendance" in jstate and "attendance" not in pstate  # the log is the court's
    own = await next_event(party, "attendance")  # her own entry, not the judge's after it
    assert (own["seat"], own["kind"]) == (zhang.pk, "joined")
    await judge.send_json_to({"action": "control", "op": "mute", "seat": zhang.pk, "ref": 7})
    assert (await next_event(judge, "ok"))["ref"] == 7
    muted = await party.receive_json_from(timeout=5)  # no line of the judge's entry first
    assert muted["event"] == "muted", muted
    assert muted["seats"] == [zhang.pk] and muted["muted"] is True
    assert muted["version"] == pstate["version"] + 1
    await sync_to_async(zhang.refresh_from_db)()
    assert zhang.muted
    assert await count(LedgerEvent.CONTROL) == 1
    await judge.disconnect()
    await party.disconnect()


async def test_a_partys_control_is_refused_and_nothing_changes(
    opened, plaintiff_zhang, defendant_wang
):
    party, state = await connected(plaintiff_zhang, opened)
    wang = await seat_of(opened, "defendant")
    await party.send_json_to({"action": "control", "op": "mute", "seat": wang.pk, "ref": "x"})
    error = await next_event(party, "error")
    assert error["code"] == "forbidden" and error["ref"] == "x" and error["message"]
    await sync_to_async(wang.refresh_from_db)()
    assert not wang.muted
    assert await count(LedgerEvent.CONTROL) == 0
    await party.send_json_to({"action": "resync"})
    again = await next_event(party, "state")
    assert again["version"] == state["version"]
    await party.disconnect()


async def test_bad_input_over_the_socket_names_the_field(opened, judge_chen):
    judge, state = await connected(judge_chen, opened)
    for message, field in (
        ({"action": "control", "op": "levitate"}, "op"),
        ({"action": "control", "op": "mute", "seat": 424242}, "seat"),
        ({"action": "control", "op": "stage", "stage": "lunch"}, "stage"),
        ({"action": "control", "op": "exhibit", "exhibit": "one"}, "exhibit"),
        ({"action": "dance"}, "action"),
        ({"action": "report", "report": "feeling_lucky"}, "report"),
        ({"action": "report", "report": ["hangup"]}, "report"),
        ({"action": "control", "op": ["mute"]}, "op"),
        ({"action": "control", "op": "mute", "seat": {"id": 1}}, "seat"),
        ({"action": "control", "op": "page", "page": [2]}, "exhibit"),
        (["control"], "action"),
    ):
        await judge.send_json_to(message)
        error = await next_event(judge, "error")
        assert error["field"] == field and error["message"], (message, error)
    await judge.send_to(text_data="{not json")
    assert (await next_event(judge, "error"))["field"] == "action"
    await judge.send_json_to({"action": "resync"})
    assert (await next_event(judge, "state"))["version"] == state["version"]
    await judge.disconnect()


async def test_outsiders_are_closed_with_4404_and_strangers_with_4401(opened, outsider, officer_li):
    assert await refused(socket(outsider.user, opened.pk)) == 4404
    # 李立案 works at the court, but is not on this case.
    assert await refused(socket(officer_li.user, opened.pk)) == 4404
    assert await refused(socket(outsider.user, 99999999)) == 4404
    assert await refused(socket(AnonymousUser(), opened.pk)) == 4401


async def test_a_witness_not_called_sees_and_hears_nothing_of_the_room(
    opened, judge_chen, witness_qian, exhibits
):
    iou, _statement = exhibits
    judge, _ = await connected(judge_chen, opened)
    witness, state = await connected(witness_qian.user, opened)
    assert state["in_room"] is False and state["waiting"] is True
    for leaked in ("seats", "feeds", "exhibit", "exhibit_id", "attendance", "hands"):
        assert leaked not in state, leaked
    zhang = await seat_of(opened, "plaintiff")
    for op in (
        {"op": "exhibit", "exhibit": iou.number},
        {"op": "mute", "seat": zhang.pk},
        {"op": "stage", "stage": "evidence"},
        {"op": "spotlight", "seat": zhang.pk},
    ):
        await judge.send_json_to({"action": "control", **op})
        await next_event(judge, "ok")
    assert await witness.receive_nothing(timeout=0.5)
    # Nor can she hear anything by asking.
    await witness.send_json_to({"action": "resync"})
    again = await next_event(witness, "state")
    assert again["in_room"] is False and "exhibit" not in again and "seats" not in again
    # Called in: now she is in the room and sees what everyone sees.
    await judge.send_json_to({"action": "control", "op": "call", "seat": witness_qian.pk})
    called = await next_event(witness, "called")
    assert called["seat"] == witness_qian.pk
    inside = await next_event(witness, "state")
    assert inside["in_room"] is True and inside["exhibit"]["number"] == iou.number
    assert inside["stage"] == "evidence"
    assert await count(LedgerEvent.WITNESS_CALLED) == 1
    # Excused: out again.
    await judge.send_json_to({"action": "control", "op": "excuse", "seat": witness_qian.pk})
    await next_event(witness, "excused")
    out = await next_event(witness, "state")
    assert out["in_room"] is False
    await judge.send_json_to({"action": "control", "op": "exhibit_clear"})
    await next_event(judge, "ok")
    assert await witness.receive_nothing(timeout=0.5)
    await judge.disconnect()
    await witness.disconnect()
    # Her attendance: admitted and entering when called (she was connected), leaving when
    # excused — not before, while she waited outside.
    lines = await sync_to_async(
        lambda: [(e.kind, e.cause) for e in witness_qian.attendance.order_by("at", "pk")]
    )()
    assert lines == [("admitted", ""), ("joined", ""), ("left", "judge")]


async def test_a_second_socket_of_the_same_seat_replaces_the_first(opened, plaintiff_zhang):
    first, _ = await connected(plaintiff_zhang, opened)
    second, _ = await connected(plaintiff_zhang, opened)
    closed = await first.receive_output(timeout=5)
    while closed["type"] == "websocket.send":  # its own entry in the log, first
        closed = await first.receive_output(timeout=5)
    assert closed["type"] == "websocket.close" and closed["code"] == 4409
    zhang = await seat_of(opened, "plaintiff")
    kinds = await sync_to_async(lambda: list(zhang.attendance.values_list("kind", flat=True)))()
    assert kinds == ["joined"]  # one entry, no drop: the person never left
    await second.disconnect()


async def test_hands_queue_and_the_floor_reach_everyone(opened, judge_chen, plaintiff_zhang):
    judge, _ = await connected(judge_chen, opened)
    party, _ = await connected(plaintiff_zhang, opened)
    zhang = await seat_of(opened, "plaintiff")
    await party.send_json_to({"action": "control", "op": "raise_hand"})
    hand = await next_event(judge, "hand")
    assert hand["seat"] == zhang.pk and hand["hands"] == [zhang.pk]
    await judge.send_json_to({"action": "control", "op": "give_floor", "seat": zhang.pk})
    floor = await next_event(party, "floor")
    assert floor["seat"] == zhang.pk and floor["hands"] == []
    assert await sync_to_async(roomstate.hands)(opened) == []
    await judge.disconnect()
    await party.disconnect()


async def test_an_exhibit_in_a_joint_session_is_hidden_from_the_other_cases_parties(
    opened, judge_chen, plaintiff_zhang, exhibits
):
    """联审: each case's parties see their own case's evidence only."""
    iou, _statement = exhibits

    @sync_to_async
    def other_case_party():
        from microcourt.cases.models import Case, CaseParticipant
        from microcourt.identity.tests.factories import UserFactory

        other = Case.objects.create(
            court=opened.case.court,
            case_type=opened.case.case_type,
            year=2025,
            serial=102,
            number="(2025)浙0203民初102号",
            title="李四诉王五民间借贷纠纷",
            cause="民间借贷纠纷",
            status="accepted",
            filed_by=opened.case.filed_by,
            filed_at=opened.case.filed_at,
            accepted_at=opened.case.accepted_at,
        )
        opened.case_links.create(case=other)
        user = UserFactory(username="plaintiff_li", display_name="李四", phone="13400004444")
        participant = CaseParticipant.objects.create(
            case=other, user=user, display_name="李四", role="plaintiff"
        )
        Seat.objects.create(
            session=opened,
            case=other,
            participant=participant,
            user=user,
            role="plaintiff",
            name="李四",
            status="admitted",
        )
        return user

    li = await other_case_party()
    mine, _ = await connected(plaintiff_zhang, opened)
    theirs, _ = await connected(li, opened)
    judge, _ = await connected(judge_chen, opened)
    await judge.send_json_to({"action": "control", "op": "exhibit", "exhibit": iou.number})
    assert (await next_event(mine, "exhibit"))["exhibit"]["name"] == "借条"
    assert (await next_event(theirs, "exhibit"))["exhibit"] == {"hidden": True}
    await theirs.send_json_to({"action": "resync"})
    assert (await next_event(theirs, "state"))["exhibit"] == {"hidden": True}
    for comm in (mine, theirs, judge):
        await comm.disconnect()
