"""排期、改期、取消: scheduling a session, rescheduling and cancelling it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from microcourt.cases.models import Case
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications import templates as notification_templates

from ... import live, notices, policies
from ...events import LedgerEvent
from ...models import (
    Layout,
    Mode,
    Procedure,
    Session,
    SessionKind,
    SessionStatus,
)
from ...states import SESSION
from .. import room
from .rules import (
    OPEN_CASE,
    _check_calendar,
    _check_time,
    _choice,
    _chosen_mode,
    _conflicts,
    _holders,
    _scheduled_params,
    participation_apply,
)
from .serving import _enqueue_notices

# --- scheduling -----------------------------------------------------------------------------------


def session_schedule(
    *,
    case: Case,
    actor: Actor,
    kind: str,
    starts_at: dt.datetime,
    duration_minutes: int = 60,
    mode: str = Mode.ONLINE,
    venue: str = "",
    procedure: str = Procedure.LIVE,
    layout: str = Layout.COURTROOM,
    joint_cases: list[Case] | tuple[Case, ...] = (),
    waiting_room: bool = True,
    notice_waived: bool = False,
    waiver_note: str = "",
    rest_day: bool = False,
) -> Session:
    """Schedule a session of ``case`` (and, 联审, of ``joint_cases`` with it): seats for
    everyone, each one's mode (在线诉讼规则第四条、第五条), refused on a conflict, a closed
    day or short notice (民事诉讼法第一百三十九条); the notices are served after commit."""
    policies.require_schedule(actor, case)
    _choice(kind, SessionKind, "kind")
    _choice(mode, Mode, "mode")
    _choice(procedure, Procedure, "procedure")
    _choice(layout, Layout, "layout")
    venue = (venue or "").strip()
    waiver_note = (waiver_note or "").strip()[:300]
    _check_time(
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        notice_waived=notice_waived,
        waiver_note=waiver_note,
    )
    if mode != Mode.ONLINE and not venue:
        raise InvalidInput(
            _("请填写法庭"), fields={"venue": str(_("线下或线上线下结合须填写法庭"))}
        )
    if len(venue) > 100:
        raise InvalidInput(_("法庭名称过长"), fields={"venue": str(_("请在100字以内"))})
    others = []
    for other in joint_cases:
        if other.pk != case.pk and other.pk not in {o.pk for o in others}:
            policies.require_schedule(actor, other)
            others.append(other)
    for one in (case, *others):
        if one.status not in OPEN_CASE:
            raise Conflict(
                _("案件尚未受理或已经结案，不能排期"),
                fields={
                    "case": str(_("%(case)s 当前不能排期") % {"case": one.number or one.title})
                },
            )
    _check_calendar((case, *others), starts_at, duration_minutes, rest_day)
    with transaction.atomic():
        session = Session.objects.create(
            case=case,
            kind=kind,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            mode=mode,
            venue=venue,
            procedure=procedure,
            layout=layout,
            waiting_room=waiting_room,
            scheduled_by=actor.user,
        )
        for other in others:
            session.case_links.create(case=other)
        room.seats_sync(session=session)
        _conflicts(session, actor)
        offline = participation_apply(session=session, chosen_mode=mode)
        ledger.record(
            code=LedgerEvent.SCHEDULED,
            actor=actor,
            case_id=case.pk,
            data={
                "session": session.pk,
                "kind": kind,
                "starts_at": starts_at.isoformat(),
                "duration_minutes": duration_minutes,
                "mode": session.mode,
                "chosen_mode": mode,
                "offline_seats": [s.pk for s in offline],
                "joint_cases": [c.pk for c in others],
                **({"notice_waived": waiver_note} if notice_waived else {}),
                **({"rest_day": True} if rest_day else {}),
            },
        )
        for other in others:
            ledger.record(
                code=LedgerEvent.SCHEDULED,
                actor=actor,
                case_id=other.pk,
                data={"session": session.pk, "joint_with": case.pk, "kind": kind},
            )
        _tell(session, notices.SCHEDULED, actor, _scheduled_params)
        on_commit(_enqueue_notices, session.pk, actor.user_id)
    return session


def _tell(session: Session, event: str, actor: Actor | None, params_of, key: str = "") -> int:
    """Tell every seat holder (but the one who acted) in their own language; once per seat
    and event round (``key``)."""
    told = 0
    for seat in _holders(session):
        if actor is not None and seat.user_id == actor.user_id:
            continue
        with translation.override(notification_templates.language_of(seat.user)):
            params = params_of(session, seat)
        notifications.notify(
            event=event,
            idempotency_key=f"{event}:{session.pk}:{seat.pk}:{key or session.version}",
            params=params,
            recipient=seat.user,
            url="/hearings/mine/",
        )
        told += 1
    return told


def session_reschedule(
    *,
    session: Session,
    actor: Actor,
    starts_at: dt.datetime,
    reason: str,
    duration_minutes: int | None = None,
    venue: str | None = None,
    notice_waived: bool = False,
    waiver_note: str = "",
    rest_day: bool = False,
) -> Session:
    """改期: a new time, checked like a new session (conflicts, closures, three days' notice);
    the notices are served again and everyone is told."""
    policies.require_court(actor, session)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写改期原因"), fields={"reason": str(_("请填写改期原因"))})
    if len(reason) > 200:
        raise InvalidInput(_("原因过长"), fields={"reason": str(_("请在200字以内"))})
    minutes = session.duration_minutes if duration_minutes is None else duration_minutes
    waiver_note = (waiver_note or "").strip()[:300]
    _check_time(
        kind=session.kind,
        starts_at=starts_at,
        duration_minutes=minutes,
        notice_waived=notice_waived,
        waiver_note=waiver_note,
    )
    new_venue = session.venue if venue is None else venue.strip()
    if len(new_venue) > 100:
        raise InvalidInput(_("法庭名称过长"), fields={"venue": str(_("请在100字以内"))})
    _check_calendar([session.case, *session.joint_cases.all()], starts_at, minutes, rest_day)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status != SessionStatus.SCHEDULED:
            raise Conflict(_("只有尚未开庭的庭审可以改期"), code="invalid_transition")
        old = locked.starts_at
        if starts_at == old and minutes == locked.duration_minutes and new_venue == locked.venue:
            raise InvalidInput(_("时间没有变化"), fields={"starts_at": str(_("请选择新的时间"))})
        locked.starts_at, locked.duration_minutes, locked.venue = starts_at, minutes, new_venue
        locked.version += 1
        locked.save(
            update_fields=["starts_at", "duration_minutes", "venue", "version", "updated_at"]
        )
        _conflicts(locked, actor)
        participation_apply(session=locked, chosen_mode=_chosen_mode(locked))
        ledger.record(
            code=LedgerEvent.RESCHEDULED,
            actor=actor,
            case_id=locked.case_id,
            data={
                "session": locked.pk,
                "from": old.isoformat(),
                "to": starts_at.isoformat(),
                "duration_minutes": minutes,
                "venue": new_venue,
                "reason": reason,
                **({"notice_waived": waiver_note} if notice_waived else {}),
            },
        )
        _tell(
            locked,
            notices.RESCHEDULED,
            actor,
            lambda s, seat: {
                "no": s.case.number or s.case.title,
                "kind": str(s.get_kind_display()),
                "old": old,
                "at": s.starts_at,
                "reason": reason,
            },
        )
        live.push(locked.pk, "rescheduled", starts_at=starts_at.isoformat(), version=locked.version)
        on_commit(_enqueue_notices, locked.pk, actor.user_id)
    return locked


def session_cancel(*, session: Session, actor: Actor, reason: str) -> Session:
    """取消: a scheduled session is called off, with its reason; everyone is told."""
    policies.require_court(actor, session)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写取消原因"), fields={"reason": str(_("请填写取消原因"))})
    if len(reason) > 200:
        raise InvalidInput(_("原因过长"), fields={"reason": str(_("请在200字以内"))})
    with transaction.atomic():
        session = SESSION.apply(
            session, "cancel", actor=actor, note=reason, updates={"cancel_reason": reason}
        )
        session.version += 1
        session.save(update_fields=["version", "updated_at"])
        _tell(
            session,
            notices.CANCELLED,
            actor,
            lambda s, seat: {
                "no": s.case.number or s.case.title,
                "kind": str(s.get_kind_display()),
                "at": s.starts_at,
                "reason": reason,
            },
        )
        live.push(session.pk, "status", status=session.status, version=session.version)
    return session
