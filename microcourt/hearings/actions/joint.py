"""联审: several similar cases heard in one sitting, each with a record of its own.

The session, its attendance log and its recording are one; each case's record is cut from
them: the seats of that case (each labelled with its case), the attendance lines of those
seats and of the court's, and the stretches of the hearing that concern it. The judge marks
which case is being heard (``joint_focus``; none marked = all cases together), and the stage
marks (``LedgerEvent.STAGE``) divide those stretches further; so the stretches of one case
are the times the focus was on it or on all, with the stage at each moment. The seed:
宁波高新区法院's 金融联审, 13 bank-loan cases heard online on 2023-11-13, 14:11–14:40.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import Case, CaseParticipant
from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput, NotFound
from microcourt.ledger import actions as ledger
from microcourt.ledger.models import Entry

from .. import live, policies
from ..events import LedgerEvent
from ..models import COURT_SEATS, AttendanceEvent, HearingStage, Seat, SeatRole, Session

# Seats that serve every case of the sitting: the court's people and the physical courtroom.
COMMON_SEATS = frozenset({*COURT_SEATS, SeatRole.COURTROOM})


def cases_of(session: Session) -> list[Case]:
    """The session's own case first, then the joint ones in the order they were linked."""
    joint = [link.case for link in session.case_links.select_related("case").order_by("pk")]
    return [session.case, *joint]


def _case_in(session: Session, case_id) -> Case:
    if isinstance(case_id, Case):
        case_id = case_id.pk
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("提交的内容有误，请检查标出的字段。"),
            fields={"case": str(_("该案件不在本次庭审中"))},
        ) from None
    for case in cases_of(session):
        if case.pk == case_id:
            return case
    raise InvalidInput(
        _("提交的内容有误，请检查标出的字段。"), fields={"case": str(_("该案件不在本次庭审中"))}
    )


def joint_focus(*, session: Session, actor: Actor, case_id: int | None) -> Session:
    """The presiding judge says which case is being heard now (``None``: all together), so
    each case's record knows its stretches of the sitting."""
    policies.require_presiding(actor, session)
    case = None if case_id in (None, "") else _case_in(session, case_id)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        session.version += 1
        session.save(update_fields=["version", "updated_at"])
        ledger.record(
            code=LedgerEvent.JOINT_FOCUS,
            actor=actor,
            case_id=case.pk if case else session.case_id,
            data={"session": session.pk, "case": case.pk if case else None},
        )
        live.push(
            session.pk,
            "joint_focus",
            case=case.pk if case else None,
            case_number=case.number if case else None,
            version=session.version,
        )
    return session


@dataclass
class Stretch:
    start: dt.datetime
    end: dt.datetime | None
    stage: str
    together: bool  # heard with the other cases, not on its own
    offset_seconds: float  # from the opening (宣布开庭), for finding it in the recording

    @property
    def stage_label(self) -> str:
        return str(HearingStage(self.stage).label) if self.stage in HearingStage.values else ""


@dataclass
class CaseRecord:
    case: Case
    seats: list[Seat] = field(default_factory=list)
    court_seats: list[Seat] = field(default_factory=list)
    attendance: list[AttendanceEvent] = field(default_factory=list)
    stretches: list[Stretch] = field(default_factory=list)


def _marks(session: Session) -> list[tuple[dt.datetime, str, object]]:
    """Focus and stage marks of the session in time order: (at, "focus"|"stage", value)."""
    entries = Entry.objects.filter(
        code__in=(LedgerEvent.JOINT_FOCUS, LedgerEvent.STAGE), details__session=session.pk
    ).order_by("created_at", "pk")
    out = []
    for e in entries:
        if e.code == LedgerEvent.JOINT_FOCUS:
            out.append((e.created_at, "focus", e.details.get("case")))
        else:
            out.append((e.created_at, "stage", e.details.get("to", "")))
    return out


def stretches_of(session: Session, case: Case) -> list[Stretch]:
    """The times of the sitting that concern ``case``: focus on it or on all cases."""
    if session.opened_at is None:
        return []
    opened = session.opened_at
    end_of_sitting = session.closed_at
    focus: int | None = None
    stage = HearingStage.OPENING.value
    pieces: list[tuple[dt.datetime, int | None, str]] = [(opened, focus, stage)]
    for at, kind, value in _marks(session):
        if at < opened or (end_of_sitting and at > end_of_sitting):
            continue
        if kind == "focus":
            focus = value
        else:
            stage = value
        pieces.append((at, focus, stage))
    out: list[Stretch] = []
    for i, (start, piece_focus, piece_stage) in enumerate(pieces):
        end = pieces[i + 1][0] if i + 1 < len(pieces) else end_of_sitting
        if end is not None and end <= start:
            continue
        if piece_focus not in (None, case.pk):
            continue
        together = piece_focus is None
        last = out[-1] if out else None
        if (
            last is not None
            and last.end == start
            and last.stage == piece_stage
            and last.together == together
        ):
            last.end = end
            continue
        out.append(
            Stretch(
                start=start,
                end=end,
                stage=piece_stage,
                together=together,
                offset_seconds=(start - opened).total_seconds(),
            )
        )
    return out


def case_record(session: Session, case: Case) -> CaseRecord:
    """One case's own record of a (joint) session: its seats, the attendance lines of its
    seats and of the court's, and the stretches of the sitting that concern it."""
    case = _case_in(session, case)
    # A person who is a party in several of the cases (the bank in a 金融联审) has one seat,
    # labelled with the first of them; it belongs to each of their cases' records.
    people = CaseParticipant.objects.filter(case=case, active=True, user__isnull=False)
    seats = list(
        session.seats.filter(Q(case=case) | Q(user_id__in=people.values("user_id")))
        .exclude(role__in=COMMON_SEATS)
        .order_by("pk")
    )
    court = list(session.seats.filter(role__in=COMMON_SEATS).order_by("pk"))
    ids = [s.pk for s in seats] + [s.pk for s in court]
    attendance = list(
        AttendanceEvent.objects.filter(session=session, seat_id__in=ids)
        .select_related("seat")
        .order_by("at", "pk")
    )
    return CaseRecord(
        case=case,
        seats=seats,
        court_seats=court,
        attendance=attendance,
        stretches=stretches_of(session, case),
    )


def case_record_for(actor: Actor, session_id: int, case_id: int) -> tuple[Session, CaseRecord]:
    """The record of one case of a session, for someone with standing on that case (the
    court's people, its parties); NotFound for anyone else, including the parties of the
    other cases heard with it."""
    session = Session.objects.select_related("case", "case__court").filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("没有找到该庭审"))
    case = next((c for c in cases_of(session) if c.pk == case_id), None)
    if case is None:
        raise NotFound(_("没有找到该庭审"))
    if not actor.is_system and not (
        case_policies.case_roles(actor, case) or policies.is_court(actor, session)
    ):
        raise NotFound(_("没有找到该庭审"))
    return session, case_record(session, case)


def now_focus(session: Session) -> int | None:
    last = (
        Entry.objects.filter(code=LedgerEvent.JOINT_FOCUS, details__session=session.pk)
        .order_by("pk")
        .last()
    )
    return last.details.get("case") if last else None
