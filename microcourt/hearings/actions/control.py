"""The judge's control of the room (在线诉讼规则第二十一条: the court keeps the hearing's order
online; 第二十二条: the stages; 第二十六条: the witness room), pushed live to every client.

Each op is one action (keyword-only, ``actor=``, one transaction, a ledger entry, the
session's ``version`` bumped and the change pushed after commit); ``control`` maps an op and
its raw inputs (from the socket or the API alike) onto it, refusing bad input by naming the
field and changing nothing. Where the seat has published, Janus enforces mute and camera
(``moderate``), so a muted participant cannot unmute themselves by editing the page.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.ledger import actions as ledger

from .. import live, policies, roomstate, selectors
from ..events import LedgerEvent
from ..models import (
    COURT_SEATS,
    AttendanceCause,
    AttendanceKind,
    HearingStage,
    Layout,
    Seat,
    SeatRole,
    SeatStatus,
    Session,
    SessionStatus,
)

log = logging.getLogger("microcourt.hearings")

STAGE_ORDER = [value for value, _label in HearingStage.choices]


def invalid(field: str) -> InvalidInput:
    reasons = {
        "op": _("未知的操作"),
        "action": _("未知的请求"),
        "seat": _("没有找到该席位"),
        "stage": _("未知的庭审阶段"),
        "exhibit": _("没有找到该证据"),
        "page": _("页码无效"),
        "case": _("该案件不在本次庭审中"),
        "report": _("未知的连接状态"),
    }
    return InvalidInput(_("提交的内容有误，请检查标出的字段。"), fields={field: reasons[field]})


# -- who is in the session, and what they see ---------------------------------------------------


def _locked(session: Session) -> Session:
    """The session, locked for the op; a closed or cancelled one is controlled no more."""
    session = Session.objects.select_for_update().select_related("case").get(pk=session.pk)
    if session.status in (SessionStatus.CLOSED, SessionStatus.CANCELLED):
        raise Conflict(_("该庭审已结束或已取消"))
    return session


def _bump(session: Session, *fields: str) -> None:
    session.version += 1
    session.save(update_fields=[*fields, "version", "updated_at"])


def _record(code, *, session: Session, actor: Actor, **data) -> None:
    ledger.record(
        code=code, actor=actor, case_id=session.case_id, data={"session": session.pk, **data}
    )


def _seat_in(session: Session, seat_id) -> Seat:
    if isinstance(seat_id, Seat):
        seat_id = seat_id.pk
    if isinstance(seat_id, bool) or not isinstance(seat_id, int | str):
        raise invalid("seat")
    try:
        seat_id = int(seat_id)
    except ValueError:
        raise invalid("seat") from None
    seat = session.seats.filter(pk=seat_id).first()
    if seat is None:
        raise invalid("seat")
    return seat


def _moderate(session_id: int, seat_ids: list[int], *, audio=None, video=None) -> None:
    """After commit: Janus stops (or resumes) forwarding the seats' media."""
    from ..janus.client import get_client

    session = Session.objects.get(pk=session_id)
    if session.room is None:
        return
    client = None
    for seat in Seat.objects.filter(pk__in=seat_ids).exclude(feed_id=None):
        client = client or get_client()
        client.moderate(
            session.room,
            secret=session.room_secret,
            feed_id=seat.feed_id,
            mute_audio=audio,
            mute_video=video,
        )


def seat_enforce(*, seat: Seat) -> None:
    """Apply the seat's mute and camera state to its (new) Janus feed."""
    if seat.feed_id and (seat.muted or seat.camera_off):
        on_commit(
            _moderate,
            seat.session_id,
            [seat.pk],
            audio=True if seat.muted else None,
            video=True if seat.camera_off else None,
        )


# -- the ops ------------------------------------------------------------------------------------


def _set_muted(
    session: Session, actor: Actor, seats: list[Seat], muted: bool, op: str
) -> list[int]:
    ids = [s.pk for s in seats]
    Seat.objects.filter(pk__in=ids).update(muted=muted, updated_at=timezone.now())
    _bump(session)
    _record(LedgerEvent.CONTROL, session=session, actor=actor, op=op, seats=ids, muted=muted)
    live.push(session.pk, "muted", seats=ids, muted=muted, version=session.version)
    on_commit(_moderate, session.pk, ids, audio=muted)
    return ids


@transaction.atomic
def seat_mute(*, seat: Seat, actor: Actor, muted: bool = True) -> Seat:
    """Mute (or unmute) one seat, at the media server as well."""
    session = _locked(seat.session)
    policies.require_presiding(actor, session)
    _set_muted(session, actor, [seat], muted, "mute" if muted else "unmute")
    seat.refresh_from_db()
    return seat


@transaction.atomic
def session_mute_all(*, session: Session, actor: Actor, muted: bool = True) -> list[int]:
    """Mute (or unmute) everyone but the court's people."""
    session = _locked(session)
    policies.require_presiding(actor, session)
    seats = list(session.seats.exclude(role__in=COURT_SEATS))
    return _set_muted(session, actor, seats, muted, "mute_all" if muted else "unmute_all")


@transaction.atomic
def seat_camera(*, seat: Seat, actor: Actor, off: bool = True) -> Seat:
    session = _locked(seat.session)
    policies.require_presiding(actor, session)
    Seat.objects.filter(pk=seat.pk).update(camera_off=off, updated_at=timezone.now())
    _bump(session)
    _record(
        LedgerEvent.CONTROL,
        session=session,
        actor=actor,
        op="camera_off" if off else "camera_on",
        seats=[seat.pk],
    )
    live.push(session.pk, "camera", seats=[seat.pk], camera_off=off, version=session.version)
    on_commit(_moderate, session.pk, [seat.pk], video=off)
    seat.refresh_from_db()
    return seat


@transaction.atomic
def session_spotlight(*, session: Session, actor: Actor, seat: Seat | None) -> Session:
    """Show one speaker large on every screen (or nobody)."""
    session = _locked(session)
    policies.require_presiding(actor, session)
    session.spotlight = seat
    _bump(session, "spotlight")
    _record(
        LedgerEvent.CONTROL, session=session, actor=actor, op="spotlight", seat=seat and seat.pk
    )
    live.push(session.pk, "spotlight", seat=seat and seat.pk, version=session.version)
    return session


@transaction.atomic
def session_lock(*, session: Session, actor: Actor, locked: bool = True) -> Session:
    """锁定法庭: no one new comes in (the court's people and those already in excepted)."""
    session = _locked(session)
    policies.require_presiding(actor, session)
    session.locked = locked
    _bump(session, "locked")
    _record(LedgerEvent.CONTROL, session=session, actor=actor, op="lock" if locked else "unlock")
    live.push(session.pk, "locked", locked=locked, version=session.version)
    return session


@transaction.atomic
def session_stage(*, session: Session, actor: Actor, stage) -> Session:
    """The stage everyone sees (第二十二条). Any order is allowed — the judge may go back to
    法庭调查 — but a step back or a skip is recorded as out of order."""
    if stage not in STAGE_ORDER:
        policies.require_presiding(actor, session)
        raise invalid("stage")
    session = _locked(session)
    policies.require_presiding(actor, session)
    before = session.stage
    out_of_order = STAGE_ORDER.index(stage) != STAGE_ORDER.index(before) + 1
    session.stage = stage
    _bump(session, "stage")
    _record(
        LedgerEvent.STAGE,
        session=session,
        actor=actor,
        **{"from": before, "to": stage, "out_of_order": out_of_order},
    )
    live.push(
        session.pk,
        "stage",
        stage=stage,
        stage_label=str(session.get_stage_display()),
        out_of_order=out_of_order,
        version=session.version,
    )
    return session


def _exhibit_of(session: Session, number, case_id) -> object:
    from microcourt.evidence.models import Exhibit

    cases = [session.case_id, *session.case_links.values_list("case_id", flat=True)]
    if case_id in (None, ""):
        case_id = session.case_id
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise invalid("case") from None
    if case_id not in cases:
        raise invalid("case")
    if isinstance(number, bool):
        raise invalid("exhibit")
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise invalid("exhibit") from None
    exhibit = Exhibit.objects.filter(case_id=case_id, number=number).first()
    if exhibit is None:
        raise invalid("exhibit")
    return exhibit


def _page(value, pages: int) -> int:
    if isinstance(value, bool):
        raise invalid("page")
    try:
        page = int(value)
    except (TypeError, ValueError):
        raise invalid("page") from None
    if not 1 <= page <= pages:
        raise InvalidInput(
            _("页码无效"), fields={"page": _("页码须在1至%(pages)d之间") % {"pages": pages}}
        )
    return page


@transaction.atomic
def session_exhibit_show(
    *, session: Session, actor: Actor, number, case_id=None, page=1
) -> Session:
    """当庭展示证据: one exhibit of the case, on every screen at the same page. Only one every
    party of its case may see: a court-only exhibit (第三十八条: trade secrets, personal data)
    is refused, not shown."""
    from microcourt.cases.selectors import Viewer
    from microcourt.evidence import policies as evidence_policies

    session = _locked(session)
    policies.require_presiding(actor, session)
    exhibit = _exhibit_of(session, number, case_id)
    # Whether a party of the case (no court role) may see it.
    if not evidence_policies.may_see_exhibit(Viewer(), exhibit):
        raise InvalidInput(
            _("该证据不能向当事人展示"),
            fields={"exhibit": _("该证据仅法院可见，当事人无权查看")},
        )
    session.exhibit = exhibit
    session.exhibit_page = _page(1 if page in (None, "") else page, exhibit.pages)
    _bump(session, "exhibit", "exhibit_page")
    _record(
        LedgerEvent.EXHIBIT_SHOWN,
        session=session,
        actor=actor,
        exhibit=exhibit.pk,
        exhibit_case=exhibit.case_id,
        number=exhibit.number,
        page=session.exhibit_page,
    )
    live.push(
        session.pk, "exhibit", exhibit=roomstate.exhibit_out(session), version=session.version
    )
    return session


@transaction.atomic
def session_exhibit_page(*, session: Session, actor: Actor, page) -> Session:
    """Turn the shown exhibit's page on every screen."""
    session = _locked(session)
    policies.require_presiding(actor, session)
    if session.exhibit is None:
        raise InvalidInput(_("当前没有展示的证据"), fields={"exhibit": _("请先展示证据")})
    session.exhibit_page = _page(page, session.exhibit.pages)
    _bump(session, "exhibit_page")
    _record(
        LedgerEvent.EXHIBIT_SHOWN,
        session=session,
        actor=actor,
        exhibit=session.exhibit_id,
        number=session.exhibit.number,
        page=session.exhibit_page,
    )
    live.push(
        session.pk, "exhibit", exhibit=roomstate.exhibit_out(session), version=session.version
    )
    return session


@transaction.atomic
def session_exhibit_clear(*, session: Session, actor: Actor) -> Session:
    session = _locked(session)
    policies.require_presiding(actor, session)
    before = session.exhibit_id
    session.exhibit, session.exhibit_page = None, 1
    _bump(session, "exhibit", "exhibit_page")
    _record(LedgerEvent.CONTROL, session=session, actor=actor, op="exhibit_clear", exhibit=before)
    live.push(session.pk, "exhibit", exhibit=None, version=session.version)
    return session


def _witness(seat: Seat) -> None:
    if seat.role != SeatRole.WITNESS:
        raise InvalidInput(_("只能传唤或退出证人席位"), fields={"seat": _("该席位不是证人")})


def witness_call(*, seat: Seat, actor: Actor) -> Seat:
    """传唤证人入庭 (第二十六条): the witness, waiting unable to see or hear, may now enter."""
    from . import room

    with transaction.atomic():
        session = _locked(seat.session)
        policies.require_presiding(actor, session)
        _witness(seat)
        seat = Seat.objects.select_for_update().get(pk=seat.pk)
        if seat.status != SeatStatus.ADMITTED:
            seat = room.seat_admit(seat=seat, actor=actor)
        seat.called = True
        seat.save(update_fields=["called", "updated_at"])
        _bump(session)
        _record(LedgerEvent.WITNESS_CALLED, session=session, actor=actor, seat=seat.pk)
        live.push(session.pk, "called", seat=seat.pk, version=session.version)
    return seat


def witness_excuse(*, seat: Seat, actor: Actor) -> Seat:
    """证人退庭: after testifying the witness leaves; their token stops working at Janus."""
    from . import attendance as attendance_actions

    with transaction.atomic():
        session = _locked(seat.session)
        policies.require_presiding(actor, session)
        _witness(seat)
        seat = Seat.objects.select_for_update().get(pk=seat.pk)
        token, feed = seat.token, seat.feed_id
        seat.called, seat.token, seat.present, seat.feed_id = False, "", False, None
        seat.hand_raised_at = None
        seat.save(
            update_fields=["called", "token", "present", "feed_id", "hand_raised_at", "updated_at"]
        )
        _bump(session)
        _record(LedgerEvent.WITNESS_EXCUSED, session=session, actor=actor, seat=seat.pk)
        attendance_actions.attendance_record(
            seat=seat, kind=AttendanceKind.LEFT, cause=AttendanceCause.JUDGE, actor=actor
        )
        live.push(session.pk, "excused", seat=seat.pk, version=session.version)
        if session.room is not None and token:
            on_commit(_revoke_media, session.pk, token, feed)
    return seat


def _revoke_media(session_id: int, token: str, feed_id: int | None) -> None:
    """As ``room.seat_remove`` does: the token leaves the room's allowed list and Janus, and
    the feed is dropped."""
    from ..janus.client import get_client

    session = Session.objects.get(pk=session_id)
    client = get_client()
    client.allow(session.room, secret=session.room_secret, tokens=[token], add=False)
    client.remove_token(token)
    if feed_id:
        client.kick(session.room, secret=session.room_secret, feed_id=feed_id)


@transaction.atomic
def seat_hand(*, seat: Seat, actor: Actor, raised: bool) -> Seat:
    """申请发言: a participant raises (or lowers) their hand; the court may lower anyone's."""
    session = _locked(seat.session)
    own = actor.user_id is not None and actor.user_id == seat.user_id
    if not own:
        policies.require_court(actor, session)
        if raised:
            raise Forbidden(_("只能为自己申请发言"))
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    if raised and not roomstate.sees_room(session, seat, False):
        raise Conflict(_("您尚未入庭"))
    if bool(seat.hand_raised_at) == raised:
        return seat
    seat.hand_raised_at = timezone.now() if raised else None
    seat.save(update_fields=["hand_raised_at", "updated_at"])
    _bump(session)
    _record(
        LedgerEvent.CONTROL,
        session=session,
        actor=actor,
        op="raise_hand" if raised else "lower_hand",
        seat=seat.pk,
    )
    live.push(
        session.pk,
        "hand",
        seat=seat.pk,
        raised=raised,
        hands=roomstate.hands(session),
        version=session.version,
    )
    return seat


@transaction.atomic
def seat_give_floor(*, seat: Seat, actor: Actor) -> Seat:
    """The judge gives the floor to one person: unmuted, hand lowered. In a broadcast
    (creditors' meeting, §10) everyone else not of the court is muted: one speaks at a time."""
    session = _locked(seat.session)
    policies.require_presiding(actor, session)
    others: list[int] = []
    if session.layout == Layout.BROADCAST:
        others = list(
            session.seats.exclude(role__in=COURT_SEATS)
            .exclude(pk=seat.pk)
            .filter(muted=False)
            .values_list("pk", flat=True)
        )
        Seat.objects.filter(pk__in=others).update(muted=True, updated_at=timezone.now())
    Seat.objects.filter(pk=seat.pk).update(
        muted=False, hand_raised_at=None, updated_at=timezone.now()
    )
    _bump(session)
    _record(
        LedgerEvent.CONTROL, session=session, actor=actor, op="give_floor", seat=seat.pk,
        muted_seats=others,
    )  # fmt: skip
    live.push(
        session.pk,
        "floor",
        seat=seat.pk,
        muted_seats=others,
        hands=roomstate.hands(session),
        version=session.version,
    )
    if others:
        on_commit(_moderate, session.pk, others, audio=True)
    on_commit(_moderate, session.pk, [seat.pk], audio=False)
    seat.refresh_from_db()
    return seat


# -- one entry for the socket and the API -------------------------------------------------------

_SEAT_OPS = {
    "mute": lambda seat, actor, **_: seat_mute(seat=seat, actor=actor, muted=True),
    "unmute": lambda seat, actor, **_: seat_mute(seat=seat, actor=actor, muted=False),
    "camera_off": lambda seat, actor, **_: seat_camera(seat=seat, actor=actor, off=True),
    "camera_on": lambda seat, actor, **_: seat_camera(seat=seat, actor=actor, off=False),
    "call": lambda seat, actor, **_: witness_call(seat=seat, actor=actor),
    "excuse": lambda seat, actor, **_: witness_excuse(seat=seat, actor=actor),
    "give_floor": lambda seat, actor, **_: seat_give_floor(seat=seat, actor=actor),
    "admit": lambda seat, actor, **_: _admit(seat=seat, actor=actor),
    "remove": lambda seat, actor, note="", **_: _remove(seat=seat, actor=actor, note=note),
}
_SESSION_OPS = {
    "mute_all": lambda session, actor, **_: session_mute_all(
        session=session, actor=actor, muted=True
    ),
    "unmute_all": lambda session, actor, **_: session_mute_all(
        session=session, actor=actor, muted=False
    ),
    "lock": lambda session, actor, **_: session_lock(session=session, actor=actor, locked=True),
    "unlock": lambda session, actor, **_: session_lock(session=session, actor=actor, locked=False),
    "stage": lambda session, actor, stage=None, **_: session_stage(
        session=session, actor=actor, stage=stage
    ),
    "exhibit": lambda session, actor, exhibit=None, case=None, page=None, **_: session_exhibit_show(
        session=session, actor=actor, number=exhibit, case_id=case, page=page
    ),
    "page": lambda session, actor, page=None, **_: session_exhibit_page(
        session=session, actor=actor, page=page
    ),
    "exhibit_clear": lambda session, actor, **_: session_exhibit_clear(
        session=session, actor=actor
    ),
}
OPS = frozenset({*_SEAT_OPS, *_SESSION_OPS, "spotlight", "raise_hand", "lower_hand"})


def _admit(*, seat: Seat, actor: Actor) -> Seat:
    from . import room

    policies.require_court(actor, seat.session)
    return room.seat_admit(seat=seat, actor=actor)


def _remove(*, seat: Seat, actor: Actor, note: str = "") -> Seat:
    from . import room

    policies.require_presiding(actor, seat.session)
    return room.seat_remove(seat=seat, actor=actor, note=str(note)[:500])


def control(
    *,
    session: Session,
    actor: Actor,
    op,
    seat=None,
    value=None,
    exhibit=None,
    case=None,
    page=None,
    stage=None,
    note: str = "",
) -> Session:
    """Apply one op (the socket's ``{"action": "control"}`` and ``POST …/control``). A party
    is refused before anything about the input is said; the court's people get the field
    that was wrong. Nothing changes on a refusal."""
    if not _holds_seat(actor, session):
        policies.require_visible(actor, session)
    if op in ("raise_hand", "lower_hand"):
        own = selectors.seat_of(actor, session)
        if seat in (None, "") or (own is not None and str(seat) == str(own.pk)):
            if own is None:
                raise Conflict(roomstate.NO_SEAT)
            seat_hand(seat=own, actor=actor, raised=op == "raise_hand")
            return session
        target = _seat_in(session, seat) if policies.is_court(actor, session) else None
        if target is None:
            raise Forbidden(_("只能为自己申请发言"))
        seat_hand(seat=target, actor=actor, raised=op == "raise_hand")
        return session
    if not policies.is_court(actor, session):
        raise Forbidden(_("只有审判长可以进行此操作"))
    if not isinstance(op, str) or op not in OPS:
        raise invalid("op")
    if op == "spotlight":
        target = None if seat in (None, "") else _seat_in(session, seat)
        return session_spotlight(session=session, actor=actor, seat=target)
    if op in _SEAT_OPS:
        if seat in (None, ""):
            raise InvalidInput(_("请选择席位"), fields={"seat": _("请选择席位")})
        _SEAT_OPS[op](_seat_in(session, seat), actor, note=note or value or "")
        return session
    _SESSION_OPS[op](session, actor, stage=stage, exhibit=exhibit, case=case, page=page)
    return session


def _holds_seat(actor: Actor, session: Session) -> bool:
    return selectors.seat_of(actor, session) is not None
