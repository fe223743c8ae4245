"""The rules a session must meet (time, notice, calendar, conflicts) and how each seat takes
part (在线诉讼规则第四条、第五条); helpers the other scheduling modules share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import Case, CaseParticipant, Stage
from microcourt.core.actor import Actor
from microcourt.core.calendar import local_date
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.courts import selectors as court_selectors
from microcourt.ledger import selectors as ledger_selectors

from ...events import LedgerEvent
from ...models import (
    COURT_SEATS,
    Mode,
    OfflineRequest,
    Participation,
    Seat,
    SeatRole,
    SeatStatus,
    Session,
    SessionKind,
    SessionStatus,
)
from .. import room

# 民事诉讼法第一百三十九条: notice three days before.
NOTICE_DAYS = 3
NOTICE_EXEMPT_KINDS = frozenset({SessionKind.JUDGMENT})
# The stage a party's consent is asked for, per kind of session (在线诉讼规则第四条: consent
# to one stage does not imply the others). A 庭前会议, 询问 or 宣判 is part of the hearing.
STAGE_OF_KIND = {
    SessionKind.HEARING: Stage.HEARING,
    SessionKind.PRETRIAL: Stage.HEARING,
    SessionKind.INQUIRY: Stage.HEARING,
    SessionKind.JUDGMENT: Stage.HEARING,
    SessionKind.EVIDENCE_EXCHANGE: Stage.EVIDENCE_EXCHANGE,
    "mediation": Stage.MEDIATION,
}
# Sessions that hold their people's time.
BUSY = (SessionStatus.SCHEDULED, SessionStatus.OPEN, SessionStatus.RECESS)
OPEN_CASE = ("accepted", "in_trial")
MAX_DURATION = dt.timedelta(minutes=600)
REMINDERS = {
    # name: how long before the start it goes out
    "day": dt.timedelta(days=1),
    "soon": dt.timedelta(minutes=30),
}
# Bumps the .ics SEQUENCE and the notices' round.
REVISIONS = (LedgerEvent.RESCHEDULED, LedgerEvent.CANCELLED)


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("取值无效"), fields={field: str(_("可选值：")) + "、".join(choices.values)}
        )
    return value


def _at(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- time -----------------------------------------------------------------------------------


def earliest_day(kind: str = SessionKind.HEARING, *, now: dt.datetime | None = None) -> dt.date:
    """The first Beijing day a session of ``kind`` may be held on under the 3-day rule."""
    today = local_date(now or timezone.now())
    if kind in NOTICE_EXEMPT_KINDS:
        return today
    return today + dt.timedelta(days=NOTICE_DAYS + 1)


def first_allowed_start(
    case: Case, *, kind: str = SessionKind.HEARING, hour: int = 9, minute: int = 30, days: int = 0
) -> dt.datetime:
    """The first working day of the case's court (at ``hour:minute`` Beijing time) that the
    3-day rule allows, ``days`` further on: what the form proposes (and tests use)."""
    calendar = court_selectors.court_calendar(case.court)
    day = calendar.next_working_day(earliest_day(kind) + dt.timedelta(days=days))
    naive = dt.datetime.combine(day, dt.time(hour, minute))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _check_time(
    *,
    kind: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    notice_waived: bool,
    waiver_note: str,
) -> None:
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise InvalidInput(_("请注明时区"), fields={"starts_at": str(_("时间须带时区"))})
    if starts_at <= timezone.now():
        raise InvalidInput(
            _("开庭时间须晚于现在"), fields={"starts_at": str(_("开庭时间须晚于现在"))}
        )
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 600:
        raise InvalidInput(
            _("时长无效"), fields={"duration_minutes": str(_("时长须在5至600分钟之间"))}
        )
    if notice_waived and len(waiver_note.strip()) < 4:
        raise InvalidInput(
            _("请说明当事人放弃通知期间的情况"),
            fields={"waiver_note": str(_("请写明当事人何时、以何种方式同意不受三日通知期间限制"))},
        )
    first = earliest_day(kind)
    if not notice_waived and local_date(starts_at) < first:
        raise InvalidInput(
            _("须在开庭三日前通知当事人"),
            fields={
                "starts_at": str(
                    _(
                        "依照民事诉讼法第一百三十九条，应当在开庭三日前通知当事人和其他诉讼参与人；"
                        "最早可排在 %(day)s（当事人放弃该期间的除外）"
                    )
                    % {"day": first.isoformat()}
                )
            },
        )


def _check_calendar(cases: Iterable[Case], starts_at: dt.datetime, minutes: int, rest_day: bool):
    """The court's closures always; its rest days unless the court sits that day."""
    first = local_date(starts_at)
    last = local_date(starts_at + dt.timedelta(minutes=minutes))
    for court in {c.court_id: c.court for c in cases}.values():
        closures = dict(
            court.closures.filter(date__range=(first, last)).values_list("date", "reason")
        )
        if closures:
            day, reason = min(closures.items())
            raise InvalidInput(
                _("法院当日停止办公"),
                fields={
                    "starts_at": str(
                        _("%(court)s %(day)s 停止办公（%(reason)s），请另选时间")
                        % {"court": court.name, "day": day.isoformat(), "reason": reason}
                    )
                },
            )
        calendar = court_selectors.court_calendar(court)
        if not rest_day and not calendar.is_working_day(first):
            raise InvalidInput(
                _("所选日期不是工作日"),
                fields={
                    "starts_at": str(
                        _(
                            "%(day)s 是法定节假日或休息日，请另选工作日（确需开庭的请勾选“休息日开庭”）"  # noqa: E501
                        )
                        % {"day": first.isoformat()}
                    )
                },
            )


def _conflicts(session: Session, actor: Actor) -> None:
    """Refuse when someone seated is in another session at an overlapping time."""
    start, end = session.starts_at, session.ends_at
    seats = [s for s in session.seats.all() if s.user_id is not None]
    users = {s.user_id for s in seats}
    if not users:
        return
    others = (
        Session.objects.filter(
            status__in=BUSY,
            seats__user_id__in=users,
            starts_at__lt=end,
            starts_at__gt=start - MAX_DURATION,
        )
        .exclude(pk=session.pk)
        .select_related("case")
        .distinct()
    )
    for other in others:
        if other.ends_at <= start:
            continue
        busy = set(other.seats.filter(user_id__in=users).values_list("user_id", flat=True))
        seat = min((s for s in seats if s.user_id in busy), key=lambda s: _seat_order(s.role))
        which = (
            f"{other.case.number or other.case.title} {other.get_kind_display()}"
            if case_policies.case_roles(actor, other.case)
            else str(_("其他庭审"))
        )
        message = _("%(who)s在 %(start)s–%(end)s 已有%(which)s，时间冲突") % {
            "who": seat.label,
            "start": _at(other.starts_at),
            "end": timezone.localtime(other.ends_at).strftime("%H:%M"),
            "which": which,
        }
        raise Conflict(_("时间冲突"), code="schedule_conflict", fields={"starts_at": message})


def _seat_order(role: str) -> int:
    order = [r for r, _label in SeatRole.choices]
    return order.index(role) if role in order else len(order)


# --- who takes part how -------------------------------------------------------------------------


def stage_of(session: Session) -> str:
    return STAGE_OF_KIND.get(session.kind, Stage.HEARING)


def _granted_offline(session: Session) -> set[int]:
    return set(
        OfflineRequest.objects.filter(
            seat__session=session, status=OfflineRequest.Status.GRANTED
        ).values_list("seat_id", flat=True)
    )


def _online_by_consent(participant: CaseParticipant | None, stage: str) -> bool:
    """在线诉讼规则第四条: online only with the party's consent to this stage (an agent
    follows the party it represents; an account is needed to be online at all)."""
    if participant is None or participant.user_id is None:
        return False
    party = participant.represents or participant
    return case_selectors.consent_for(party, stage) is True


def participation_apply(*, session: Session, chosen_mode: str) -> list[Seat]:
    """Set each seat's participation from the mode the court chose and each party's consent,
    and the session's mode from the seats. Returns the non-court seats attending offline."""
    stage = stage_of(session)
    granted = _granted_offline(session)
    offline = []
    changed_mode = False
    for seat in session.seats.select_related("participant", "participant__represents"):
        if seat.role in COURT_SEATS:
            wanted = Participation.OFFLINE if chosen_mode == Mode.OFFLINE else None
        elif seat.participant_id is None:
            continue
        elif (
            chosen_mode == Mode.OFFLINE
            or seat.pk in granted
            or not _online_by_consent(seat.participant, stage)
        ):
            wanted = Participation.OFFLINE
        else:
            # Online: keep a text or audio choice already made; else video.
            wanted = (
                seat.participation
                if seat.participation != Participation.OFFLINE
                else Participation.VIDEO
            )
        if wanted is None and seat.participation == Participation.OFFLINE:
            wanted = Participation.VIDEO
        if wanted is not None and wanted != seat.participation:
            seat.participation = wanted
            seat.save(update_fields=["participation", "updated_at"])
        if seat.role not in COURT_SEATS and seat.participation == Participation.OFFLINE:
            offline.append(seat)
    if chosen_mode == Mode.OFFLINE:
        mode = Mode.OFFLINE
    else:
        kinds = {s.participation == Participation.OFFLINE for s in session.seats.all()}
        mode = Mode.MIXED if True in kinds else Mode.ONLINE
    if mode != session.mode:
        session.mode = mode
        changed_mode = True
    if session.mode != Mode.ONLINE and not session.venue:
        # Someone comes to court and no courtroom was named: they come to the court itself.
        session.venue = session.case.court.name[:100]
        changed_mode = True
    if changed_mode:
        session.save(update_fields=["mode", "venue", "updated_at"])
        # A session that became mixed seats its physical courtroom as one publisher.
        room.seats_sync(session=session)
    return offline


def _scheduled_params(session: Session, seat: Seat) -> dict:
    return {
        "no": session.case.number or session.case.title,
        "at": session.starts_at,
        "kind": str(session.get_kind_display()),
        "mode": str(seat.get_participation_display()),
    }


def _holders(session: Session) -> list[Seat]:
    """One seat per person (the clerk also runs the courtroom's camera seat), removed seats
    left out."""
    seats = (
        session.seats.filter(user__isnull=False)
        .exclude(role=SeatRole.COURTROOM)
        .exclude(status=SeatStatus.REMOVED)
        .select_related("user")
    )
    first: dict[int, Seat] = {}
    for seat in sorted(seats, key=lambda s: _seat_order(s.role)):
        first.setdefault(seat.user_id, seat)
    return list(first.values())


def sequence_of(session: Session) -> int:
    """How many times the session was revised (rescheduled, cancelled): the .ics SEQUENCE
    and the round of notices."""
    return (
        ledger_selectors.case_entries(session.case_id, REVISIONS)
        .filter(details__session=session.pk)
        .count()
    )


def _chosen_mode(session: Session) -> str:
    # The court's choice survives in the mode unless it was derived (mixed from online).
    return Mode.OFFLINE if session.mode == Mode.OFFLINE else Mode.ONLINE
