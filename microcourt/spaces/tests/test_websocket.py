"""The case space socket end to end through the channel layer and the project's ASGI routing:
live delivery, gap-fill after a reconnect, the private line and outsiders closed with 4404."""

import pytest
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from microcourt.routing import websocket_urlpatterns
from microcourt.spaces import actions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

APP = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))


def socket(user, case, after=None):
    path = f"/ws/cases/{case.pk}/space/" + (f"?after={after}" if after is not None else "")
    comm = WebsocketCommunicator(APP, path)
    comm.scope["user"] = user  # what AuthMiddlewareStack finds in the session
    return comm


post = sync_to_async(actions.message_post)


async def seqs(comm, n):
    return [(await comm.receive_json_from(timeout=3))["seq"] for _ in range(n)]


async def test_a_message_reaches_both_members_live(
    loan_case, zhang, plaintiff_zhang, defendant_wang
):
    mine, theirs = socket(plaintiff_zhang, loan_case), socket(defendant_wang, loan_case)
    assert (await mine.connect())[0] and (await theirs.connect())[0]
    await post(case=loan_case, actor=zhang, text="大家好")
    for comm in (mine, theirs):
        got = await comm.receive_json_from(timeout=3)
        assert got["type"] == "message" and got["text"] == "大家好" and got["seq"] == 1
        assert got["sender_role"] == "plaintiff"
    await mine.disconnect()
    await theirs.disconnect()


async def test_a_reconnect_gets_exactly_what_it_missed_in_order(
    loan_case, zhang, judge, defendant_wang
):
    comm = socket(defendant_wang, loan_case)
    assert (await comm.connect())[0]
    await post(case=loan_case, actor=zhang, text="一")
    await post(case=loan_case, actor=zhang, text="二")
    assert await seqs(comm, 2) == [1, 2]
    await comm.disconnect()
    for text in ("三", "四", "五"):
        await post(case=loan_case, actor=judge, text=text)
    again = socket(defendant_wang, loan_case, after=2)
    assert (await again.connect())[0]
    got = [await again.receive_json_from(timeout=3) for _ in range(3)]
    assert [(m["seq"], m["text"]) for m in got] == [(3, "三"), (4, "四"), (5, "五")]
    assert await again.receive_nothing(timeout=0.3)
    await post(case=loan_case, actor=zhang, text="六")  # and live again afterwards
    assert await seqs(again, 1) == [6]
    await again.disconnect()


async def test_the_private_line_never_reaches_the_other_party(
    loan_case, zhang, plaintiff_zhang, defendant_wang, judge_chen, lawyer_liu
):
    socks = {u.username: socket(u, loan_case) for u in (plaintiff_zhang, defendant_wang,
                                                        judge_chen, lawyer_liu)}  # fmt: skip
    for comm in socks.values():
        assert (await comm.connect())[0]
    await post(case=loan_case, actor=zhang, text="法官，私下请教。", thread="court")
    for name in ("plaintiff_zhang", "judge_chen", "lawyer_liu"):
        got = await socks[name].receive_json_from(timeout=3)
        assert got["thread_kind"] == "court"
    assert await socks["defendant_wang"].receive_nothing(timeout=0.3)
    late = socket(defendant_wang, loan_case, after=0)  # nor on a gap-fill
    assert (await late.connect())[0]
    assert await late.receive_nothing(timeout=0.3)
    for comm in (*socks.values(), late):
        await comm.disconnect()


async def test_read_marks_over_the_socket_reach_the_others(
    loan_case, zhang, plaintiff_zhang, defendant_wang
):
    sender, reader = socket(plaintiff_zhang, loan_case), socket(defendant_wang, loan_case)
    assert (await sender.connect())[0] and (await reader.connect())[0]
    m = await post(case=loan_case, actor=zhang, text="请查收")
    await sender.receive_json_from(timeout=3)
    await reader.receive_json_from(timeout=3)
    await reader.send_json_to({"type": "read", "thread": m.thread_id, "seq": m.seq})
    receipt = await sender.receive_json_from(timeout=3)
    assert receipt == {"type": "read", "thread": m.thread_id, "user": defendant_wang.pk, "seq": 1}
    await sender.disconnect()
    await reader.disconnect()


async def test_outsiders_and_removed_participants_are_closed_with_4404(
    loan_case, outsider_zhou, lawyer_liu, officer_li
):
    from microcourt.cases.models import CaseParticipant

    await sync_to_async(CaseParticipant.objects.filter(case=loan_case, user=lawyer_liu).update)(
        active=False
    )
    # 李立案 sees the court's docket, but is not on this case: its chat is not his.
    for user in (outsider_zhou, lawyer_liu, officer_li.user):
        assert await refused(socket(user, loan_case)) == 4404
    assert await refused(socket(outsider_zhou, type("C", (), {"pk": 999999}))) == 4404
    assert await refused(socket(AnonymousUser(), loan_case)) == 4401


async def refused(comm) -> int:
    """The close code of a socket that is accepted and closed at once, with nothing of the
    space sent first (accepted so that the browser sees the code: closed before the accept,
    the server would answer HTTP 403 and the page would keep reconnecting)."""
    connected, _subprotocol = await comm.connect()
    assert connected
    closed = await comm.receive_output(timeout=3)
    assert closed["type"] == "websocket.close", closed
    return closed["code"]


async def test_a_client_that_sees_a_hole_in_the_seqs_gets_it_filled(
    loan_case, zhang, plaintiff_zhang, defendant_wang
):
    """Pushes may arrive out of order or not at all (a dropped frame, a layer restart): the
    client places messages by seq and, on a hole, asks again from its last contiguous one."""
    comm = socket(defendant_wang, loan_case)
    assert (await comm.connect())[0]
    for text in ("一", "二", "三"):
        await post(case=loan_case, actor=zhang, text=text)
    assert await seqs(comm, 3) == [1, 2, 3]
    await comm.send_json_to({"type": "resume", "after": 1})  # as if 2 never arrived
    refilled = [await comm.receive_json_from(timeout=3) for _ in range(2)]
    assert [(m["seq"], m["text"]) for m in refilled] == [(2, "二"), (3, "三")]
    await comm.disconnect()


async def test_a_read_mark_over_the_socket_is_recorded_in_the_readers_role(
    loan_case, zhang, clerk_zhao
):
    """The socket acts as the person is on the case: the clerk's read mark is the clerk's in
    the public ledger, not a citizen's."""
    import json

    from microcourt.ledger.models import Entry
    from microcourt.spaces.events import LedgerEvent

    comm = socket(clerk_zhao, loan_case)
    assert (await comm.connect())[0]
    m = await post(case=loan_case, actor=zhang, text="请查收")
    await comm.receive_json_from(timeout=3)
    await comm.send_json_to({"type": "read", "thread": m.thread_id, "seq": m.seq})
    await comm.receive_json_from(timeout=3)  # the read receipt pushed back to the room
    entry = await sync_to_async(Entry.objects.get)(code=LedgerEvent.READ_MARKED)
    assert json.loads(entry.public_json)["role"] == "clerk"
    await comm.disconnect()


async def test_a_socket_whose_person_left_the_case_gets_no_more_backlog(
    loan_case, zhang, lawyer_liu
):
    """Standing is read again on every request of the socket, not only when it connects."""
    from microcourt.cases.models import CaseParticipant

    comm = socket(lawyer_liu, loan_case)
    assert (await comm.connect())[0]
    await post(case=loan_case, actor=zhang, text="一")
    assert await seqs(comm, 1) == [1]
    await sync_to_async(CaseParticipant.objects.filter(case=loan_case, user=lawyer_liu).update)(
        active=False
    )
    await comm.send_json_to({"type": "resume", "after": 0})
    assert (await comm.receive_output(timeout=3))["type"] == "websocket.close"
