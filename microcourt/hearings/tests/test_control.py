"""The judge's control of the room through the API (the socket takes the same ops:
test_consumer.py, test_socket_live.py): each op changes what everyone sees, bumps the
session's version and leaves its ledger entry; a party's attempt and bad input change
nothing and say which field was wrong, in the reader's language."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict
from microcourt.hearings import policies, roomstate
from microcourt.hearings.actions import attendance as attendance_actions
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import AttendanceKind, Seat, SeatRole, SeatStatus, Session
from microcourt.ledger.models import Entry

from .conftest import with_second_factor

API = "/api/v1"
pytestmark = pytest.mark.django_db


# -- the room, open, with its people seated (also used by test_consumer / test_attendance) -----


def hearing_of(case, judge, **fields) -> Session:
    """A 开庭 of the case, seated (scheduling itself is tested in test_scheduling*)."""
    from microcourt.hearings.actions import room

    session = Session.objects.create(
        case=case, kind="hearing", starts_at=timezone.now(), scheduled_by=judge.user, **fields
    )
    room.seats_sync(session=session)
    return session


@pytest.fixture
def opened(case, judge):
    """The hearing, opened (status only: the media room is Janus's, tested in test_janus and
    test_control_janus) with the parties admitted by the clerk."""
    session = hearing_of(case, judge, status="open", opened_at=timezone.now())
    session.seats.exclude(role__in=("presiding_judge", "clerk")).update(status=SeatStatus.ADMITTED)
    session.refresh_from_db()
    return session


@pytest.fixture
def witness_qian(db, opened):
    """钱证人: called by the plaintiff; waits outside until the judge calls her in."""
    from microcourt.identity.tests.factories import UserFactory

    user = UserFactory(username="witness_qian", display_name="钱证人", phone="13500003333")
    seat = Seat.objects.create(
        session=opened,
        case=opened.case,
        user=user,
        role=SeatRole.WITNESS,
        name="钱证人",
        status=SeatStatus.WAITING,
    )
    return seat


def pdf_bytes(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p style=\"font-family: 'WenQuanYi Micro Hei'\">{text}</p>").write_pdf()


@pytest.fixture
def exhibits(case, zhang, judge):
    """张三's 借条 (3 pages) and 银行流水, which the judge limited to the court."""
    from microcourt.evidence.actions import exhibits as evidence

    iou = evidence.exhibit_submit(
        case=case,
        actor=zhang,
        upload=SimpleUploadedFile("借条.pdf", pdf_bytes("借条"), "application/pdf"),
        name="借条",
        source="被告书写",
        purpose="证明借款事实",
        pages=3,
    )
    statement = evidence.exhibit_submit(
        case=case,
        actor=zhang,
        upload=SimpleUploadedFile("流水.pdf", pdf_bytes("银行流水"), "application/pdf"),
        name="银行流水",
        source="银行",
        purpose="证明转账",
    )
    statement = evidence.exhibit_set_court_only(exhibit=statement, actor=judge)
    return iou, statement


def seat(session, role) -> Seat:
    return session.seats.get(role=role)


def post(client, session, **body):
    return client.post(
        f"{API}/sessions/{session.pk}/control", body, content_type="application/json"
    )


def _private(entry) -> dict:
    """What the ledger entry records (its private part)."""
    return entry.details


@pytest.fixture
def as_judge(client, judge_chen):
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    return client


def snapshot(session):
    session.refresh_from_db()
    return (
        Entry.objects.count(),
        session.version,
        session.stage,
        session.locked,
        session.exhibit_id,
        sorted(session.seats.values_list("pk", "muted", "camera_off", "called", "status")),
    )


# -- the ops -------------------------------------------------------------------------------------


def test_the_judge_mutes_a_party_and_unmutes_her(as_judge, opened):
    zhang = seat(opened, "plaintiff")
    before = opened.version
    answer = post(as_judge, opened, op="mute", seat=zhang.pk)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["version"] == before + 1
    assert {s["id"]: s["muted"] for s in body["seats"]}[zhang.pk] is True
    zhang.refresh_from_db()
    assert zhang.muted
    [entry] = Entry.objects.filter(code=LedgerEvent.CONTROL)
    assert entry.case_id == opened.case_id
    assert post(as_judge, opened, op="unmute", seat=zhang.pk).status_code == 200
    zhang.refresh_from_db()
    assert not zhang.muted
    assert Entry.objects.filter(code=LedgerEvent.CONTROL).count() == 2


def test_mute_all_spares_the_court(as_judge, opened):
    assert post(as_judge, opened, op="mute_all").status_code == 200
    muted = dict(opened.seats.values_list("role", "muted"))
    assert muted["plaintiff"] and muted["defendant"]
    assert not muted["presiding_judge"] and not muted["clerk"]
    assert Entry.objects.filter(code=LedgerEvent.CONTROL).count() == 1


def test_a_party_cannot_control_the_room_and_nothing_changes(client, opened, plaintiff_zhang):
    wang = seat(opened, "defendant")
    before = snapshot(opened)
    client.force_login(plaintiff_zhang)
    for body in (
        {"op": "mute", "seat": wang.pk},
        {"op": "lock"},
        {"op": "stage", "stage": "debate"},
        {"op": "no-such-op"},
    ):
        answer = post(client, opened, **body)
        assert answer.status_code == 403, (body, answer.content)
        assert answer.json()["error"]["code"] == "forbidden"
    assert snapshot(opened) == before


def test_the_clerk_admits_but_does_not_mute(client, opened, clerk_zhao):
    with_second_factor(clerk_zhao)
    client.force_login(clerk_zhao)
    wang = seat(opened, "defendant")
    Seat.objects.filter(pk=wang.pk).update(status=SeatStatus.WAITING)
    before_version = Session.objects.get(pk=opened.pk).version
    assert post(client, opened, op="mute", seat=wang.pk).status_code == 403
    assert post(client, opened, op="admit", seat=wang.pk).status_code == 200
    wang.refresh_from_db()
    assert wang.status == SeatStatus.ADMITTED and not wang.muted
    assert Entry.objects.filter(code=LedgerEvent.ADMITTED).count() == 1
    assert Session.objects.get(pk=opened.pk).version == before_version


def test_an_outsider_finds_no_session(client, opened, outsider):
    client.force_login(outsider.user)
    answer = post(client, opened, op="mute_all")
    assert answer.status_code == 404
    assert client.get(f"{API}/sessions/{opened.pk}/attendance").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"op": "teleport"}, "op"),
        ({"op": ""}, "op"),
        ({"op": "mute", "seat": 999999}, "seat"),
        ({"op": "mute"}, "seat"),
        ({"op": "stage", "stage": "verdict_by_coin"}, "stage"),
        ({"op": "stage"}, "stage"),
        ({"op": "exhibit", "exhibit": 99}, "exhibit"),
        ({"op": "exhibit", "exhibit": 1, "case": 999999}, "case"),
        ({"op": "page", "page": 2}, "exhibit"),
        ({"op": "mute", "seat": "abc"}, "seat"),
        ({"op": "call", "seat": "PLAINTIFF"}, "seat"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(as_judge, opened, body, field):
    if body.get("seat") == "PLAINTIFF":  # a seat that is not a witness's
        body = {**body, "seat": seat(opened, "plaintiff").pk}
    before = snapshot(opened)
    answer = post(as_judge, opened, **body)
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["error"]["fields"], answer.json()
    assert snapshot(opened) == before


def test_a_seat_of_another_session_is_not_found(as_judge, opened, case, judge):
    other = hearing_of(case, judge)
    foreign = other.seats.get(role="plaintiff")
    before = snapshot(opened)
    answer = post(as_judge, opened, op="mute", seat=foreign.pk)
    assert answer.status_code == 400 and "seat" in answer.json()["error"]["fields"]
    assert snapshot(opened) == before
    foreign.refresh_from_db()
    assert not foreign.muted


def test_errors_are_in_the_readers_language(as_judge, opened, settings):
    as_judge.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    answer = post(as_judge, opened, op="stage", stage="nope")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["fields"]["stage"] == "Unknown hearing stage", error


def test_stages_in_any_order_each_recorded(as_judge, opened):
    for stage in ("opening", "identity", "investigation"):  # a skip: rights not announced
        assert post(as_judge, opened, op="stage", stage=stage).status_code == 200
    assert post(as_judge, opened, op="stage", stage="identity").status_code == 200  # back
    opened.refresh_from_db()
    assert opened.stage == "identity"
    steps = [_private(e) for e in Entry.objects.filter(code=LedgerEvent.STAGE).order_by("pk")]
    assert [(s["from"], s["to"], s["out_of_order"]) for s in steps] == [
        ("not_started", "opening", False),
        ("opening", "identity", False),
        ("identity", "investigation", True),
        ("investigation", "identity", True),
    ]


def test_an_exhibit_is_shown_page_synchronised(as_judge, opened, exhibits):
    iou, _statement = exhibits
    answer = post(as_judge, opened, op="exhibit", exhibit=iou.number, page=2)
    assert answer.status_code == 200, answer.content
    assert (answer.json()["exhibit_id"], answer.json()["exhibit_page"]) == (iou.pk, 2)
    assert post(as_judge, opened, op="page", page=3).status_code == 200
    answer = post(as_judge, opened, op="page", page=4)  # the 借条 has 3 pages
    assert answer.status_code == 400 and "page" in answer.json()["error"]["fields"]
    opened.refresh_from_db()
    assert (opened.exhibit_id, opened.exhibit_page) == (iou.pk, 3)
    shown = [_private(e) for e in Entry.objects.filter(code=LedgerEvent.EXHIBIT_SHOWN)]
    assert [(s["exhibit"], s["page"]) for s in shown] == [(iou.pk, 2), (iou.pk, 3)]
    assert post(as_judge, opened, op="exhibit_clear").status_code == 200
    opened.refresh_from_db()
    assert opened.exhibit_id is None


def test_an_exhibit_a_party_may_not_see_is_refused(as_judge, opened, exhibits):
    _iou, statement = exhibits
    before = snapshot(opened)
    answer = post(as_judge, opened, op="exhibit", exhibit=statement.number)
    assert answer.status_code == 400
    assert "exhibit" in answer.json()["error"]["fields"]
    assert snapshot(opened) == before
    assert not Entry.objects.filter(code=LedgerEvent.EXHIBIT_SHOWN).exists()


def test_a_witness_is_called_then_excused(as_judge, opened, witness_qian):
    answer = post(as_judge, opened, op="call", seat=witness_qian.pk)
    assert answer.status_code == 200, answer.content
    witness_qian.refresh_from_db()
    assert witness_qian.called and witness_qian.status == SeatStatus.ADMITTED
    assert Entry.objects.filter(code=LedgerEvent.WITNESS_CALLED).count() == 1
    Seat.objects.filter(pk=witness_qian.pk).update(token="t0k3n", present=True)
    assert post(as_judge, opened, op="excuse", seat=witness_qian.pk).status_code == 200
    witness_qian.refresh_from_db()
    assert not witness_qian.called and witness_qian.token == "" and not witness_qian.present
    assert Entry.objects.filter(code=LedgerEvent.WITNESS_EXCUSED).count() == 1
    last = witness_qian.attendance.order_by("-pk").first()
    assert (last.kind, last.cause) == ("left", "judge")


def test_a_locked_room_lets_in_only_the_court_and_those_already_in(as_judge, opened, judge):
    zhang, wang = seat(opened, "plaintiff"), seat(opened, "defendant")
    attendance_actions.seat_connected(seat=zhang, actor=Actor.citizen(zhang.user))
    assert post(as_judge, opened, op="lock").status_code == 200
    opened.refresh_from_db()
    assert opened.locked
    policies.require_not_locked(opened, zhang)  # dropped out and coming back: fine
    policies.require_not_locked(opened, seat(opened, "presiding_judge"))
    with pytest.raises(Conflict):
        policies.require_not_locked(opened, wang)
    assert post(as_judge, opened, op="unlock").status_code == 200
    opened.refresh_from_db()
    policies.require_not_locked(opened, wang)
    ops = [_private(e)["op"] for e in Entry.objects.filter(code=LedgerEvent.CONTROL)]
    assert ops == ["lock", "unlock"]


def test_camera_and_spotlight(as_judge, opened):
    wang = seat(opened, "defendant")
    assert post(as_judge, opened, op="camera_off", seat=wang.pk).status_code == 200
    assert post(as_judge, opened, op="spotlight", seat=wang.pk).status_code == 200
    wang.refresh_from_db()
    opened.refresh_from_db()
    assert wang.camera_off and opened.spotlight_id == wang.pk
    assert post(as_judge, opened, op="spotlight").status_code == 200
    opened.refresh_from_db()
    assert opened.spotlight_id is None
    ops = [_private(e)["op"] for e in Entry.objects.filter(code=LedgerEvent.CONTROL)]
    assert ops == ["camera_off", "spotlight", "spotlight"]


def test_broadcast_one_speaker_at_a_time_from_the_queue(
    client, as_judge, opened, plaintiff_zhang, defendant_wang, judge_chen
):
    Session.objects.filter(pk=opened.pk).update(layout="broadcast")
    zhang, wang = seat(opened, "plaintiff"), seat(opened, "defendant")
    for user in (defendant_wang, plaintiff_zhang):  # 王五 asks first
        client.force_login(user)
        assert post(client, opened, op="raise_hand").status_code == 200
    assert roomstate.hands(opened) == [wang.pk, zhang.pk]
    client.force_login(judge_chen)
    assert post(client, opened, op="give_floor", seat=wang.pk).status_code == 200
    assert post(client, opened, op="give_floor", seat=zhang.pk).status_code == 200
    zhang.refresh_from_db()
    wang.refresh_from_db()
    assert not zhang.muted and wang.muted  # the floor passed on: 王五 muted again
    assert roomstate.hands(opened) == []
    ops = [_private(e)["op"] for e in Entry.objects.filter(code=LedgerEvent.CONTROL)]
    assert ops == ["raise_hand", "raise_hand", "give_floor", "give_floor"]


def test_the_judge_removes_a_party_through_control(as_judge, opened):
    wang = seat(opened, "defendant")
    assert post(as_judge, opened, op="remove", seat=wang.pk, note="扰乱法庭秩序").status_code == 200
    wang.refresh_from_db()
    assert wang.status == SeatStatus.REMOVED
    assert Entry.objects.filter(code=LedgerEvent.REMOVED).count() == 1
    assert wang.attendance.filter(kind=AttendanceKind.REMOVED, cause="judge").exists()


def test_a_closed_hearing_is_controlled_no_more(as_judge, opened):
    Session.objects.filter(pk=opened.pk).update(status="closed")
    before = snapshot(opened)
    answer = post(as_judge, opened, op="stage", stage="debate")
    assert answer.status_code == 409
    assert snapshot(opened) == before
