"""The attendance log (在线诉讼规则第二十五条): every arrival, admission, entry, drop, rejoin and
departure with its cause, so the judge rules 拒不到庭 or 中途退庭 on facts. Each line is a
ledger entry."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput
from microcourt.ledger import actions as ledger

from .. import live, policies
from ..events import LedgerEvent
from ..models import (
    COURT_SEATS,
    AttendanceCause,
    AttendanceEvent,
    AttendanceKind,
    Seat,
    SeatRole,
    SeatStatus,
    Session,
)
from ..selectors import IN, PRESENCE, grace


def attendance_record(
    *, seat: Seat, kind: str, cause: str = AttendanceCause.NONE, actor: Actor, detail: str = ""
) -> AttendanceEvent:
    with transaction.atomic():
        event = AttendanceEvent.objects.create(
            session_id=seat.session_id,
            seat=seat,
            kind=kind,
            cause=cause,
            at=timezone.now(),
            detail=detail[:200],
        )
        ledger.record(
            code=LedgerEvent.ATTENDANCE,
            actor=actor,
            case_id=seat.case_id,
            data={
                "session": seat.session_id,
                "seat": seat.pk,
                "role": seat.role,
                "kind": kind,
                "cause": cause,
            },
        )
        live.push(
            seat.session_id,
            "attendance",
            seat=seat.pk,
            kind=kind,
            cause=cause,
            at=event.at.isoformat(),
        )
    return event


def attendance_close(*, session: Session) -> None:
    """At closing: whoever is still connected has left with the close; a seat of an online
    participant who never entered is recorded as absent (未到庭)."""
    for seat in session.seats.exclude(participation="offline"):
        kinds = set(seat.attendance.values_list("kind", flat=True))
        if seat.present:
            seat.present = False
            seat.save(update_fields=["present", "updated_at"])
        if not kinds & {AttendanceKind.JOINED, AttendanceKind.REJOINED}:
            attendance_record(
                seat=seat,
                kind=AttendanceKind.ABSENT,
                cause=AttendanceCause.NEVER_JOINED,
                actor=Actor.system("hearing closed"),
            )


# -- presence reported by the courtroom socket (consumers.HearingConsumer) ---------------------

OUT = (AttendanceKind.DROPPED, AttendanceKind.LEFT, AttendanceKind.REMOVED, AttendanceKind.REPLACED)
REPORTS = frozenset(
    {
        "media_connected",
        "ice_failed",
        "ice_disconnected",
        "hangup",
        "page_closing",
        "warning_ignored",
    }
)
# A client closes with 1000 after 退出 (hang-up) and the browser with 1001 when the page goes
# away; anything else without a leave first (1006: no close frame at all) is the network.
CLOSE_HANGUP, CLOSE_GOING_AWAY = 1000, 1001
# Our own pages close with this when they move on inside the hearing (waiting room →
# courtroom, courtroom → waiting room): the next page's socket carries on, nothing is logged.
CLOSE_NAVIGATING = 4000
# last_seen_at is written at most this often by pings.
SEEN_EVERY = dt.timedelta(seconds=15)


def _last(seat: Seat) -> AttendanceEvent | None:
    return seat.attendance.filter(kind__in=PRESENCE).order_by("-at", "-pk").first()


def _may_enter(seat: Seat) -> bool:
    """In the room now (so a connection is an entry): a live session, and a seat the clerk
    admitted (or the court's, or any seat without a waiting room), a witness once called."""
    session = seat.session
    if session.status not in policies.LIVE_STATUSES:
        return False
    if seat.role in COURT_SEATS:
        return True
    if seat.status == SeatStatus.REMOVED:
        return False
    if seat.role == SeatRole.WITNESS and not seat.called:
        return False
    return seat.status == SeatStatus.ADMITTED or not session.waiting_room


def _back(seat: Seat, actor: Actor, last: AttendanceEvent | None, how: str) -> AttendanceEvent:
    """JOINED the first time, REJOINED after a drop or a leave (saying after what, how long
    and whether within the grace window)."""
    if last is None:
        return attendance_record(seat=seat, kind=AttendanceKind.JOINED, actor=actor, detail=how)
    away = timezone.now() - last.at
    within = last.kind == AttendanceKind.DROPPED and away <= grace()
    detail = f"{how}; after {last.kind}/{last.cause or '-'} {int(away.total_seconds())}s"
    if last.kind == AttendanceKind.DROPPED:
        detail += "; within grace" if within else "; after the grace window"
    return attendance_record(
        seat=seat, kind=AttendanceKind.REJOINED, cause=last.cause, actor=actor, detail=detail
    )


def _set_present(seat: Seat, present: bool) -> None:
    seat.present, seat.last_seen_at = present, timezone.now()
    seat.save(update_fields=["present", "last_seen_at", "updated_at"])


@transaction.atomic
def seat_connected(*, seat: Seat, actor: Actor, device: str = "") -> AttendanceEvent | None:
    """The person's socket is up. If they may be in the room now it is an entry: JOINED the
    first time, REJOINED after a drop or a leave; nothing new if already in (a socket that
    replaced another before the old one was seen gone). Called again when the person's
    standing changes while connected (admitted, called in, the session opened): idempotent."""
    seat = Seat.objects.select_for_update().select_related("session").get(pk=seat.pk)
    _set_present(seat, True)
    if not _may_enter(seat):
        return None
    last = _last(seat)
    if last is not None and last.kind in IN:
        return None
    return _back(seat, actor, last, f"socket {device}".strip())


@transaction.atomic
def seat_disconnected(
    *, seat: Seat, actor: Actor, close_code: int | None
) -> AttendanceEvent | None:
    """The socket closed. After a hang-up or page close it said so first (``seat_reported``)
    and nothing more is written; a clean close (1000) is a hang-up, 1001 the page going away;
    anything else while in the room is a drop (socket_lost) — the judge tells 中途退庭 from a
    network failure by whether a rejoin follows within the grace window."""
    seat = Seat.objects.select_for_update().select_related("session").get(pk=seat.pk)
    _set_present(seat, False)
    if seat.session.status not in policies.LIVE_STATUSES:
        return None  # closed: everyone left with the closing (attendance_close)
    last = _last(seat)
    if last is None or last.kind not in IN or close_code == CLOSE_NAVIGATING:
        return None
    if close_code == CLOSE_HANGUP:
        kind, cause = AttendanceKind.LEFT, AttendanceCause.HANGUP
    elif close_code == CLOSE_GOING_AWAY:
        kind, cause = AttendanceKind.LEFT, AttendanceCause.PAGE_CLOSED
    else:
        kind, cause = AttendanceKind.DROPPED, AttendanceCause.SOCKET_LOST
    return attendance_record(
        seat=seat, kind=kind, cause=cause, actor=actor, detail=f"close code {close_code}"
    )


@transaction.atomic
def seat_reported(*, seat: Seat, actor: Actor, report, feed_id=None) -> AttendanceEvent | None:
    """What the page knows of its own connection (consumers' docstring): media up (and its
    Janus feed), ICE failed or disconnected (a drop: ice_failed), hang-up, page closing,
    a warning ignored (leaves)."""
    if not isinstance(report, str) or report not in REPORTS:
        raise InvalidInput(
            _("提交的内容有误，请检查标出的字段。"), fields={"report": _("未知的连接状态")}
        )
    seat = Seat.objects.select_for_update().select_related("session").get(pk=seat.pk)
    if seat.session.status not in policies.LIVE_STATUSES:
        _set_present(seat, False)
        return None  # after the closing nothing more is anyone's attendance
    if report == "media_connected" and feed_id not in (None, ""):
        _claim_feed(seat, feed_id)
    last = _last(seat)
    was_in = last is not None and last.kind in IN
    if report == "media_connected":
        _set_present(seat, True)
        if not _may_enter(seat) or was_in:
            return None
        return _back(seat, actor, last, "media")
    if report in ("ice_failed", "ice_disconnected"):
        if not was_in:
            return None
        _set_present(seat, False)
        return attendance_record(
            seat=seat,
            kind=AttendanceKind.DROPPED,
            cause=AttendanceCause.ICE_FAILED,
            actor=actor,
            detail=report,
        )
    cause = {
        "hangup": AttendanceCause.HANGUP,
        "page_closing": AttendanceCause.PAGE_CLOSED,
        "warning_ignored": AttendanceCause.IGNORED_WARNING,
    }[report]
    _set_present(seat, False)
    if last is None or last.kind not in (*IN, AttendanceKind.DROPPED):
        return None
    return attendance_record(
        seat=seat, kind=AttendanceKind.LEFT, cause=cause, actor=actor, detail=report
    )


def _claim_feed(seat: Seat, feed_id) -> None:
    """The seat's publisher at Janus, as the page reports it: a feed that is in the room and
    not another seat's (so a mute reaches the right person)."""
    from ..janus.client import JanusUnavailable, get_client
    from . import control

    if isinstance(feed_id, bool):
        raise InvalidInput(_("提交的内容有误"), fields={"feed_id": _("无效的媒体流编号")})
    try:
        feed_id = int(feed_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("提交的内容有误"), fields={"feed_id": _("无效的媒体流编号")}) from None
    if feed_id == seat.feed_id:
        return
    session = seat.session
    taken = session.seats.exclude(pk=seat.pk).filter(feed_id=feed_id).exists()
    try:
        ids = (
            {p.get("id") for p in get_client().participants(session.room)}
            if session.room
            else set()
        )
    except JanusUnavailable:
        ids = set()
    if taken or feed_id not in ids:
        raise InvalidInput(_("提交的内容有误"), fields={"feed_id": _("该媒体流不在本法庭中")})
    seat.feed_id = feed_id
    seat.save(update_fields=["feed_id", "updated_at"])
    live.push(session.pk, "feed", seat=seat.pk, feed_id=feed_id)
    control.seat_enforce(seat=seat)


def seat_seen(*, seat: Seat) -> None:
    """A ping: the person is still there (written at most every SEEN_EVERY)."""
    now = timezone.now()
    Seat.objects.filter(pk=seat.pk).exclude(last_seen_at__gt=now - SEEN_EVERY).update(
        last_seen_at=now
    )
