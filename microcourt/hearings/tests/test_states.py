"""The session and seat machines walked through the real actions (ARCHITECTURE §4.3): every
transition of the tables, each a ledger entry, and the wrong person or state refused."""

from __future__ import annotations

import pytest

from microcourt.core.errors import Conflict, Forbidden
from microcourt.hearings.actions import room
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import Seat, SeatRole
from microcourt.hearings.states import SEAT, SESSION
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)


def _codes(case) -> list[int]:
    return list(Entry.objects.filter(case_id=case.pk).order_by("pk").values_list("code", flat=True))


def test_the_session_table_is_walked_open_recess_resume_close(janus, session, judge, clerk, zhang):
    with pytest.raises(Forbidden):
        room.session_open(session=session, actor=clerk)
    with pytest.raises(Forbidden):
        room.session_open(session=session, actor=zhang)
    room.session_open(session=session, actor=judge)
    with pytest.raises(Conflict):
        room.session_open(session=session, actor=judge)
    room.session_recess(session=session, actor=judge, note="十分钟")
    room.session_resume(session=session, actor=judge)
    room.session_close(session=session, actor=judge)
    session.refresh_from_db()
    assert session.status == "closed" and session.closed_at and session.opened_at
    walked = [c for c in _codes(session.case) if c in LedgerEvent.values]
    order = [LedgerEvent.OPENED, LedgerEvent.RECESSED, LedgerEvent.RESUMED, LedgerEvent.CLOSED]
    assert [c for c in walked if c in order] == order
    assert {t.name for t in SESSION.transitions} == {"open", "recess", "resume", "close", "cancel"}


def test_cancel_only_before_opening_and_only_by_the_court(session, judge, zhang):
    with pytest.raises(Forbidden):
        SESSION.apply(session, "cancel", actor=zhang)
    SESSION.apply(session, "cancel", actor=judge, note="原告撤诉")
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert LedgerEvent.CANCELLED in _codes(session.case)


def test_the_seat_table_wait_admit_remove_and_admit_again(
    janus, session, judge, clerk, zhang, wang
):
    from django.utils import timezone

    room.session_open(session=session, actor=judge)
    seat = Seat.objects.get(session=session, role=SeatRole.PLAINTIFF)
    with pytest.raises(Conflict):  # the rules first
        room.seat_wait(session=session, actor=zhang)
    room.seat_acknowledge_rules(session=session, actor=zhang)
    room.seat_wait(session=session, actor=zhang)
    seat.refresh_from_db()
    assert seat.status == "waiting" and seat.rules_acknowledged_at <= timezone.now()
    with pytest.raises(Forbidden):  # one party does not admit another
        room.seat_admit(seat=seat, actor=wang)
    room.seat_admit(seat=seat, actor=clerk)
    with pytest.raises(Forbidden):  # only the presiding judge removes
        room.seat_remove(seat=Seat.objects.get(pk=seat.pk), actor=clerk)
    room.seat_remove(seat=Seat.objects.get(pk=seat.pk), actor=judge, note="扰乱法庭秩序")
    room.seat_admit(seat=Seat.objects.get(pk=seat.pk), actor=clerk)
    assert {t.name for t in SEAT.transitions} == {"wait", "admit", "remove"}
    codes = _codes(session.case)
    assert codes.count(LedgerEvent.ADMITTED) == 2 and codes.count(LedgerEvent.REMOVED) == 1
