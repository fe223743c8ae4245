"""联审: similar cases heard in one sitting, each with a record of its own. The seed (宁波高新区
法院's 金融联审): 20 bank-loan cases filed, 7 settled before the hearing, the other 13 heard online
together on 2023-11-13 from 14:11 to 14:40. Here the same with three: one bank against three
borrowers, one session on the real Janus, seats from every case labelled with it, and each
case's record carrying only its own people, attendance and stretches of the sitting."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.hearings.actions import attendance, control, joint, room
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import AttendanceCause, AttendanceKind, SeatRole
from microcourt.ledger.models import Entry
from tests.janus_support import janus, janus_server  # noqa: F401

from .test_public_switch import schedule

API = "/api/v1"
pytestmark = pytest.mark.django_db
BORROWERS = [
    ("借款人甲", "borrower_jia"),
    ("借款人乙", "borrower_yi"),
    ("借款人丙", "borrower_bing"),
]


@pytest.fixture
def bank_cases(case, judge_chen, clerk_zhao):
    """Three 金融借款合同纠纷 of one bank, on 陈法官's panel."""
    from microcourt.cases.models import Case, CaseParticipant
    from microcourt.identity.tests.factories import UserFactory

    bank = UserFactory(username="bank_agent", display_name="某银行", phone="13700009999")
    cases, borrowers = [], []
    for i, (name, username) in enumerate(BORROWERS):
        loan = Case.objects.create(
            court=case.court,
            case_type=case.case_type,
            year=2023,
            serial=300 + i,
            number=f"(2023)浙0203民初{300 + i}号",
            title=f"某银行诉{name}金融借款合同纠纷",
            cause="金融借款合同纠纷",
            status="accepted",
            filed_at=timezone.now(),
            accepted_at=timezone.now(),
        )
        borrower = UserFactory(username=username, display_name=name, phone=f"1360000{i:04d}")
        for user, display, role in (
            (bank, "某银行", "plaintiff"),
            (borrower, name, "defendant"),
            (judge_chen, "陈法官", "judge"),
            (clerk_zhao, "赵书记员", "clerk"),
        ):
            CaseParticipant.objects.create(case=loan, user=user, display_name=display, role=role)
        cases.append(loan)
        borrowers.append(borrower)
    return cases, borrowers, bank


@pytest.fixture
def sitting(
    janus,  # noqa: F811 - the fixture imported above
    bank_cases,
    judge,
    django_capture_on_commit_callbacks,
):
    cases, _borrowers, _bank = bank_cases
    with django_capture_on_commit_callbacks(execute=True):
        session = schedule(cases[0], judge, joint_cases=cases[1:])
    yield session
    session.refresh_from_db()
    if janus.alive() and session.room:
        janus.client.destroy_room(session.room, secret=session.room_secret)


def _mark() -> None:
    time.sleep(0.02)  # marks a few milliseconds apart, as in a real sitting


def test_each_case_of_a_joint_sitting_keeps_its_own_record(
    client, sitting, bank_cases, judge, judge_chen
):
    cases, borrowers, _bank = bank_cases
    a, b, c = cases
    # Seats from every case, each labelled with its case.
    defendants = {s.case_id: s for s in sitting.seats.filter(role=SeatRole.DEFENDANT)}
    assert set(defendants) == {a.pk, b.pk, c.pk}
    assert {defendants[x.pk].name for x in cases} == {n for n, _u in BORROWERS}
    client.force_login(judge_chen)
    detail = client.get(f"{API}/sessions/{sitting.pk}").json()
    assert {(s["role"], s["case_id"]) for s in detail["seats"] if s["role"] == "defendant"} == {
        ("defendant", a.pk),
        ("defendant", b.pk),
        ("defendant", c.pk),
    }

    room.session_open(session=sitting, actor=judge)
    sitting.refresh_from_db()
    presiding = sitting.seats.get(role=SeatRole.PRESIDING_JUDGE)
    system = Actor.system("test: the socket reported it")
    attendance.attendance_record(seat=presiding, kind=AttendanceKind.JOINED, actor=system)
    for seat in defendants.values():
        attendance.attendance_record(seat=seat, kind=AttendanceKind.JOINED, actor=system)
    _mark()
    control.session_stage(session=sitting, actor=judge, stage="identity")  # all together
    _mark()
    joint.joint_focus(session=sitting, actor=judge, case_id=b.pk)
    _mark()
    control.session_stage(session=sitting, actor=judge, stage="investigation")  # b alone
    attendance.attendance_record(
        seat=defendants[c.pk],
        kind=AttendanceKind.DROPPED,
        cause=AttendanceCause.ICE_FAILED,
        actor=system,
    )
    _mark()
    joint.joint_focus(session=sitting, actor=judge, case_id=c.pk)  # c alone
    _mark()
    joint.joint_focus(session=sitting, actor=judge, case_id=None)
    _mark()
    control.session_stage(session=sitting, actor=judge, stage="debate")  # together again
    assert Entry.objects.filter(code=LedgerEvent.JOINT_FOCUS).count() == 3

    records = {x.pk: joint.case_record(sitting, x) for x in cases}
    names = {x.pk: name for x, (name, _u) in zip(cases, BORROWERS, strict=True)}
    for x in cases:
        record = records[x.pk]
        # Its own borrower, and the bank (one seat, a party in all three), never another's.
        assert [s.name for s in record.seats] == ["某银行", names[x.pk]]
        allowed = {*(s.pk for s in record.court_seats), *(s.pk for s in record.seats)}
        assert {line.seat_id for line in record.attendance} <= allowed
        assert defendants[x.pk].pk in {line.seat_id for line in record.attendance}
    # Only c's record has c's dropped connection.
    assert [
        line.kind for line in records[c.pk].attendance if line.seat_id == defendants[c.pk].pk
    ] == [
        "joined",
        "dropped",
    ]
    assert all(
        line.kind != "dropped" for line in records[a.pk].attendance + records[b.pk].attendance
    )

    def shape(record):
        return [(s.stage, s.together) for s in record.stretches]

    # Every mark cuts a stretch: b was heard alone from the focus on it (still at 核对身份)
    # through its 法庭调查; c alone from the focus on it; between clearing the focus and
    # announcing the debate the investigation went on with all three together.
    together = [("investigation", True), ("debate", True)]
    opening = [("opening", True), ("identity", True)]
    assert shape(records[a.pk]) == [*opening, *together]
    assert shape(records[b.pk]) == [
        *opening,
        ("identity", False),
        ("investigation", False),
        *together,
    ]
    assert shape(records[c.pk]) == [*opening, ("investigation", False), *together]
    # b's and c's own stretches do not overlap, and each lies inside the sitting.
    own_b = records[b.pk].stretches[3]
    own_c = records[c.pk].stretches[2]
    assert own_b.end is not None and own_b.end <= own_c.start
    assert records[a.pk].stretches[-1].end is None  # still sitting
    assert all(s.offset_seconds >= 0 for r in records.values() for s in r.stretches)

    # The same through the API and the page; a borrower sees only their own case.
    client.force_login(borrowers[1])
    own = client.get(f"{API}/sessions/{sitting.pk}/cases/{b.pk}/record")
    assert own.status_code == 200
    assert [s["label"] for s in own.json()["seats"]] == ["原告 某银行", "被告 借款人乙"]
    assert [(s["stage"], s["together"]) for s in own.json()["stretches"]] == shape(records[b.pk])
    for other in (a, c):
        assert client.get(f"{API}/sessions/{sitting.pk}/cases/{other.pk}/record").status_code == 404
    page = client.get(f"/hearings/{sitting.pk}/cases/").content.decode()
    assert b.number in page and a.number not in page and c.number not in page
    client.force_login(judge_chen)
    page = client.get(f"/hearings/{sitting.pk}/cases/").content.decode()
    assert all(x.number in page for x in cases)


def test_focus_is_the_presiding_judges_and_only_on_a_case_of_the_sitting(
    client, sitting, bank_cases, case, judge, plaintiff_zhang, outsider
):
    from microcourt.core.errors import Forbidden, InvalidInput, NotFound

    cases, borrowers, _bank = bank_cases
    with pytest.raises(InvalidInput) as error:
        joint.joint_focus(session=sitting, actor=judge, case_id=case.pk)  # not heard here
    assert "case" in error.value.fields
    with pytest.raises(Forbidden):
        joint.joint_focus(session=sitting, actor=Actor.citizen(borrowers[0]), case_id=cases[0].pk)
    with pytest.raises(NotFound):
        joint.joint_focus(session=sitting, actor=outsider, case_id=cases[0].pk)
    assert not Entry.objects.filter(code=LedgerEvent.JOINT_FOCUS).exists()
    client.force_login(outsider.user)
    assert client.get(f"{API}/sessions/{sitting.pk}/cases/{cases[0].pk}/record").status_code == 404
    assert client.get(f"/hearings/{sitting.pk}/cases/").status_code == 404
    client.force_login(judge.user)
    for bad_case in ("x", case.pk):
        bad = client.post(
            f"{API}/sessions/{sitting.pk}/joint/focus",
            {"case_id": bad_case},
            content_type="application/json",
        )
        assert bad.status_code == 400
        assert set(bad.json()["error"]["fields"]) & {"case", "case_id"}
    good = client.post(
        f"{API}/sessions/{sitting.pk}/joint/focus",
        {"case_id": cases[1].pk},
        content_type="application/json",
    )
    assert good.status_code == 200
    assert joint.now_focus(sitting) == cases[1].pk
