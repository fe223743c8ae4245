"""The attendance log (在线诉讼规则第二十五条) as the courtroom socket feeds it: an entry, a
hang-up, a page closed, a drop and a rejoin within the grace window, a drop not followed by
a return, an ICE failure reported by the page, an ignored warning — each a ledger entry, so
the judge rules 拒不到庭 or 中途退庭 on facts, and the log through the API (the court reads
every line, a party their own) in the reader's language."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.hearings import selectors
from microcourt.hearings.actions import attendance
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import AttendanceEvent
from microcourt.ledger.models import Entry

from . import test_control
from .test_consumer import connected, next_event, socket

opened, witness_qian = test_control.opened, test_control.witness_qian


def lines(seat) -> list[tuple[str, str]]:
    return [(e.kind, e.cause) for e in seat.attendance.order_by("at", "pk")]


def ledger_lines(seat) -> list[tuple[str, str]]:
    return [
        (e.details["kind"], e.details["cause"])
        for e in Entry.objects.filter(code=LedgerEvent.ATTENDANCE).order_by("pk")
        if e.details.get("seat") == seat.pk
    ]


@pytest.fixture
def zhang_seat(opened):
    return opened.seats.get(role="plaintiff")


@pytest.fixture
def as_zhang(zhang_seat):
    return Actor.citizen(zhang_seat.user)


# -- the actions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hang_up_is_a_leave(zhang_seat, as_zhang):
    attendance.seat_connected(seat=zhang_seat, actor=as_zhang, device="phone")
    attendance.seat_reported(seat=zhang_seat, actor=as_zhang, report="hangup")
    attendance.seat_disconnected(seat=zhang_seat, actor=as_zhang, close_code=1000)
    assert lines(zhang_seat) == [("joined", ""), ("left", "hangup")]
    assert ledger_lines(zhang_seat) == lines(zhang_seat)
    zhang_seat.refresh_from_db()
    assert not zhang_seat.present and zhang_seat.last_seen_at is not None


@pytest.mark.django_db
def test_close_codes_tell_a_leave_from_a_drop(opened, as_zhang, zhang_seat, wang):
    wang_seat = opened.seats.get(role="defendant")
    attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    attendance.seat_disconnected(seat=zhang_seat, actor=as_zhang, close_code=1001)
    attendance.seat_connected(seat=wang_seat, actor=wang)
    attendance.seat_disconnected(seat=wang_seat, actor=wang, close_code=1006)
    assert lines(zhang_seat) == [("joined", ""), ("left", "page_closed")]
    assert lines(wang_seat) == [("joined", ""), ("dropped", "socket_lost")]


@pytest.mark.django_db
def test_a_drop_then_a_rejoin_within_the_grace_window(zhang_seat, as_zhang, opened):
    attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    attendance.seat_disconnected(seat=zhang_seat, actor=as_zhang, close_code=1006)
    [(_line, pending)] = [
        (line, result)
        for line, result in selectors.lines_with_outcome(opened)
        if line.kind == "dropped"
    ]
    assert pending == "pending"
    back = attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    assert (back.kind, back.cause) == ("rejoined", "socket_lost")
    assert "within grace" in back.detail
    outcomes = [r for line, r in selectors.lines_with_outcome(opened) if line.kind == "dropped"]
    assert outcomes == ["rejoined"]
    zhang_seat.refresh_from_db()
    assert zhang_seat.present
    assert ledger_lines(zhang_seat) == [
        ("joined", ""),
        ("dropped", "socket_lost"),
        ("rejoined", "socket_lost"),
    ]


@pytest.mark.django_db
def test_a_drop_without_a_return_stays_a_drop(zhang_seat, as_zhang, opened, settings):
    settings.HEARING_REJOIN_GRACE_SECONDS = 60
    attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    attendance.seat_disconnected(seat=zhang_seat, actor=as_zhang, close_code=1006)
    for kind, ago in (("joined", 300), ("dropped", 61)):  # dropped 61 s ago
        AttendanceEvent.objects.filter(seat=zhang_seat, kind=kind).update(
            at=timezone.now() - dt.timedelta(seconds=ago)
        )
    outcomes = [r for line, r in selectors.lines_with_outcome(opened) if line.kind == "dropped"]
    assert outcomes == ["not_returned"]
    late = attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    assert late.kind == "rejoined" and "after the grace window" in late.detail
    outcomes = [r for line, r in selectors.lines_with_outcome(opened) if line.kind == "dropped"]
    assert outcomes == ["rejoined_late"]


@pytest.mark.django_db
def test_an_ice_failure_is_a_drop_and_media_back_is_a_rejoin(zhang_seat, as_zhang):
    attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    attendance.seat_reported(seat=zhang_seat, actor=as_zhang, report="ice_failed")
    attendance.seat_reported(seat=zhang_seat, actor=as_zhang, report="ice_failed")  # once
    attendance.seat_reported(seat=zhang_seat, actor=as_zhang, report="media_connected")
    assert lines(zhang_seat) == [
        ("joined", ""),
        ("dropped", "ice_failed"),
        ("rejoined", "ice_failed"),
    ]


@pytest.mark.django_db
def test_an_ignored_warning_is_a_leave(zhang_seat, as_zhang):
    attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    attendance.seat_reported(seat=zhang_seat, actor=as_zhang, report="warning_ignored")
    attendance.seat_disconnected(seat=zhang_seat, actor=as_zhang, close_code=1006)
    assert lines(zhang_seat) == [("joined", ""), ("left", "ignored_warning")]


@pytest.mark.django_db
def test_a_witness_waiting_outside_has_not_entered(witness_qian):
    actor = Actor.citizen(witness_qian.user)
    assert attendance.seat_connected(seat=witness_qian, actor=actor) is None
    assert lines(witness_qian) == []


@pytest.mark.django_db
def test_an_unknown_report_is_refused(zhang_seat, as_zhang):
    from microcourt.core.errors import InvalidInput

    attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    with pytest.raises(InvalidInput) as refused:
        attendance.seat_reported(seat=zhang_seat, actor=as_zhang, report="went_for_tea")
    assert "report" in refused.value.fields
    assert lines(zhang_seat) == [("joined", "")]


# -- the API ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_court_reads_every_line_a_party_her_own_in_her_language(
    client, opened, zhang_seat, as_zhang, wang, judge_chen, plaintiff_zhang, settings
):
    wang_seat = opened.seats.get(role="defendant")
    attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    attendance.seat_connected(seat=wang_seat, actor=wang)
    attendance.seat_disconnected(seat=wang_seat, actor=wang, close_code=1006)
    test_control.with_second_factor(judge_chen)
    client.force_login(judge_chen)
    everything = client.get(f"/api/v1/sessions/{opened.pk}/attendance").json()
    assert [(r["seat"], r["kind"], r["cause"]) for r in everything] == [
        (zhang_seat.pk, "joined", ""),
        (wang_seat.pk, "joined", ""),
        (wang_seat.pk, "dropped", "socket_lost"),
    ]
    assert everything[2]["cause_label"] == "网络连接中断"
    assert everything[2]["outcome"] == "pending"
    client.force_login(plaintiff_zhang)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    own = client.get(f"/api/v1/sessions/{opened.pk}/attendance").json()
    assert [(r["seat"], r["kind"], r["kind_label"]) for r in own] == [
        (zhang_seat.pk, "joined", "Joined")
    ]


# -- over the socket ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_over_the_socket_a_hang_up_then_a_drop_and_a_reconnect(
    opened, plaintiff_zhang, judge_chen
):
    seat = await sync_to_async(opened.seats.get)(role="plaintiff")
    judge, _ = await connected(judge_chen, opened)
    party, _ = await connected(plaintiff_zhang, opened)

    async def line():  # the next attendance line of 张三's seat, as the judge's screen gets it
        got = await next_event(judge, "attendance")
        while got["seat"] != seat.pk:  # another seat's line: skip it
            got = await next_event(judge, "attendance")
        return got

    joined = await line()
    assert (joined["seat"], joined["kind"]) == (seat.pk, "joined")
    await party.send_json_to({"action": "report", "report": "hangup"})
    await next_event(party, "ok")
    await party.disconnect(code=1000)
    left = await line()
    assert (left["kind"], left["cause"]) == ("left", "hangup")
    # Back, and then the network goes: the socket ends without a close frame (1006).
    again, _ = await connected(plaintiff_zhang, opened)
    assert (await line())["kind"] == "rejoined"
    await again.disconnect(code=1006)
    dropped = await line()
    assert (dropped["kind"], dropped["cause"]) == ("dropped", "socket_lost")
    last, _ = await connected(plaintiff_zhang, opened)
    back = await line()
    assert (back["kind"], back["cause"]) == ("rejoined", "socket_lost")
    got = await sync_to_async(lines)(seat)
    assert got == [
        ("joined", ""),
        ("left", "hangup"),
        ("rejoined", "hangup"),  # a rejoin carries the cause of the absence it ends
        ("dropped", "socket_lost"),
        ("rejoined", "socket_lost"),
    ]
    assert await sync_to_async(ledger_lines)(seat) == got
    # The judge's state shows the latest line per seat.
    await judge.send_json_to({"action": "resync"})
    state = await next_event(judge, "state")
    mine = [a for a in state["attendance"] if a["seat"] == seat.pk]
    assert [(a["kind"], a["cause"]) for a in mine] == [("rejoined", "socket_lost")]
    for comm in (judge, last):
        await comm.disconnect()
    assert socket  # the helper the live tests share


@pytest.mark.django_db
def test_after_the_closing_a_socket_ending_is_no_drop(zhang_seat, as_zhang, opened):
    from microcourt.hearings.models import Session

    attendance.seat_connected(seat=zhang_seat, actor=as_zhang)
    Session.objects.filter(pk=opened.pk).update(status="closed")
    attendance.seat_disconnected(seat=zhang_seat, actor=as_zhang, close_code=1006)
    attendance.seat_reported(seat=zhang_seat, actor=as_zhang, report="ice_failed")
    assert lines(zhang_seat) == [("joined", "")]
    zhang_seat.refresh_from_db()
    assert not zhang_seat.present
