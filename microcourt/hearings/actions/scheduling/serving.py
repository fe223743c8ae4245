"""The notices (传票 / 出庭通知书) served through the service app, and the reminders."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from microcourt.cases.models import Case, CaseParticipant
from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import DomainError, Forbidden
from microcourt.ledger import actions as ledger
from microcourt.ledger import selectors as ledger_selectors
from microcourt.notifications import actions as notifications
from microcourt.notifications import templates as notification_templates

from ... import notices
from ...events import LedgerEvent
from ...models import (
    COURT_SEATS,
    Participation,
    Seat,
    SeatRole,
    Session,
    SessionStatus,
)
from .rules import (
    REMINDERS,
    _holders,
    _scheduled_params,
    sequence_of,
)

# --- notices (传票 / 出庭通知书) ------------------------------------------------------------------


def _enqueue_notices(session_id: int, user_id: int | None) -> None:
    from ...tasks import reminders

    reminders.serve_notices.enqueue(session_id, user_id)


def notice_seats(session: Session) -> list[Seat]:
    """Who gets a notice: the parties (传票) and the agents and witnesses (出庭通知书)."""
    return [
        s
        for s in session.seats.select_related("participant", "participant__represents", "case")
        if s.participant_id is not None
        and (s.role in notices.PARTY_SEATS or s.role in notices.NOTICE_SEATS)
    ]


def notice_entries(session: Session, sequence: int | None = None) -> dict[int, dict]:
    """The notices served for the session's current round: seat id → the ledger details."""
    sequence = sequence_of(session) if sequence is None else sequence
    rows = ledger_selectors.case_entries(session.case_id, [LedgerEvent.SUMMONS_SERVED]).filter(
        details__session=session.pk, details__sequence=sequence
    )
    return {e.details["seat"]: e.details for e in rows}


def _server(session: Session, case: Case, user_id: int | None) -> Actor | None:
    """Who serves: the person who scheduled (a judge, assistant or clerk of the case), else
    the case's clerk, assistant or judge — service is a person's act, never the system's."""
    from microcourt.identity.models import User
    from microcourt.service import policies as service_policies

    candidates = []
    if user_id is not None:
        candidates.append(user_id)
    panel = CaseParticipant.objects.filter(
        case=case, active=True, user__isnull=False, role__in=("clerk", "judge_assistant", "judge")
    ).order_by("role", "pk")
    candidates += [p.user_id for p in panel]
    for uid in dict.fromkeys(candidates):
        user = User.objects.filter(pk=uid, is_active=True).first()
        actor = actor_for(user) if user is not None else None
        if actor is not None and service_policies.may_serve(actor, case, {"summons", "notice"}):
            return actor
    return None


def session_notices_serve(*, session_id: int, user_id: int | None = None) -> int:
    """Render, seal and serve the round's notice for every seat that has not had it yet
    (idempotent: a retried task serves nobody twice). The render and the seal run with no
    transaction open; each serving is its own short transaction. Returns how many served."""
    from microcourt.core import uploads
    from microcourt.service import actions as service_actions
    from microcourt.signing import actions as signing

    session = Session.objects.select_related("case", "case__court").get(pk=session_id)
    if session.status != SessionStatus.SCHEDULED:
        return 0
    sequence = sequence_of(session)
    done = notice_entries(session, sequence)
    sealer = Actor.system(reason="hearings.notice")
    served = 0
    for seat in notice_seats(session):
        if seat.pk in done:
            continue
        party = seat.participant.represents or seat.participant
        document = notices.render(session=session, seat=seat, sequence=sequence)
        title = notices.title_of(seat)
        sealed = signing.pdf_seal(
            pdf=document,
            court_code=session.case.court.code,
            court_name=session.case.court.name,
            reason=title,
            actor=sealer,
            case_id=seat.case_id,
            title=title,
        ).pdf
        stored = uploads.store(sealed, mime="application/pdf", prefix="hearings")
        doc = service_actions.Doc(
            title=title if seat.role in notices.PARTY_SEATS else f"{title}（{seat.name}）",
            kind="summons" if seat.role in notices.PARTY_SEATS else "notice",
            path=stored.path,
            sha256=stored.sha256,
            mime="application/pdf",
            size=stored.size,
        )
        server = _server(session, seat.case, user_id)
        with transaction.atomic():
            current = Session.objects.select_for_update().get(pk=session.pk)
            if current.status != SessionStatus.SCHEDULED or sequence_of(current) != sequence:
                return served  # rescheduled or cancelled meanwhile: the next round serves
            if seat.pk in notice_entries(current, sequence):
                continue
            try:
                if server is None:
                    raise Forbidden(_("本案没有可以送达文书的承办人员"))
                [service] = service_actions.service_serve(
                    case=seat.case, actor=server, recipient_ids=[party.pk], documents=[doc]
                )
            except DomainError as exc:
                _unserved(current, seat, title, str(exc.message), sequence)
                continue
            ledger.record(
                code=LedgerEvent.SUMMONS_SERVED,
                actor=server,
                case_id=seat.case_id,
                subject_digest=f"sha256:{stored.sha256}",
                data={
                    "session": session.pk,
                    "seat": seat.pk,
                    "sequence": sequence,
                    "service": service.pk,
                    "recipient": party.pk,
                    "document": title,
                },
            )
            if seat.role not in notices.PARTY_SEATS and seat.user_id is not None:
                # The service reaches the party; its agent hears of the notice too.
                with translation.override(notification_templates.language_of(seat.user)):
                    params = _scheduled_params(current, seat)
                notifications.notify(
                    event=notices.SCHEDULED,
                    idempotency_key=f"hearings.notice:{session.pk}:{seat.pk}:{sequence}",
                    params=params,
                    recipient=seat.user,
                    url="/hearings/mine/",
                )
            served += 1
    return served


def _unserved(session: Session, seat: Seat, title: str, reason: str, sequence: int) -> None:
    """No electronic way to this recipient: the court's people are told to post it."""
    for court_seat in session.seats.filter(role__in=COURT_SEATS, user__isnull=False).exclude(
        role=SeatRole.COURTROOM
    ):
        notifications.notify(
            event=notices.NOTICE_UNSERVED,
            idempotency_key=f"{notices.NOTICE_UNSERVED}:{session.pk}:{seat.pk}:{sequence}:{court_seat.pk}",
            params={
                "no": session.case.number or session.case.title,
                "name": seat.name,
                "at": session.starts_at,
                "kind": str(session.get_kind_display()),
                "title": title,
            },
            recipient=court_seat.user,
            url=f"/hearings/{session.pk}/schedule/",
        )


def notice_status(session: Session) -> list[dict]:
    """Per seat due a notice: what it is and whether it was served (and the service)."""
    done = notice_entries(session)
    return [
        {
            "seat": seat,
            "title": notices.title_of(seat),
            "served": seat.pk in done,
            "service_id": done.get(seat.pk, {}).get("service"),
        }
        for seat in notice_seats(session)
    ]


# --- reminders ------------------------------------------------------------------------------------


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """The day-before and 30-minute reminders that are due, to every seat holder. Run by a
    periodic job each minute: the notification's idempotency key (session, seat, reminder,
    start time) makes a second run — or a run after a failed one — send nothing twice, and a
    rescheduled session is reminded again for its new time."""
    now = now or timezone.now()
    sent = 0
    horizon = now + max(REMINDERS.values())
    due = Session.objects.filter(
        status=SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=horizon
    ).select_related("case")
    for session in due:
        left = session.starts_at - now
        # The nearest reminder whose time has come (a day-before reminder is not sent once
        # the 30-minute one is due).
        name = min((n for n, before in REMINDERS.items() if left <= before), key=REMINDERS.get)
        with transaction.atomic():
            for seat in _holders(session):
                with translation.override(notification_templates.language_of(seat.user)):
                    params = {
                        "no": session.case.number or session.case.title,
                        "kind": str(session.get_kind_display()),
                        "at": session.starts_at,
                        "how": str(
                            _("线下到庭：%(venue)s") % {"venue": session.venue}
                            if seat.participation == Participation.OFFLINE
                            else _("在线参加")
                        ),
                        "tip": gettext("请提前完成设备检测和人脸识别。")
                        if seat.participation != Participation.OFFLINE
                        else gettext("请携带身份证件准时到庭。"),
                    }
                before = timezone.now()
                rows = notifications.notify(
                    event=notices.REMINDER,
                    idempotency_key=(
                        f"{notices.REMINDER}:{session.pk}:{seat.pk}:{name}:"
                        f"{int(session.starts_at.timestamp())}"
                    ),
                    params=params,
                    recipient=seat.user,
                    url=notices.enter_path(session.pk)
                    if seat.participation != Participation.OFFLINE
                    else "/hearings/mine/",
                    channels=("inapp", "sms"),
                )
                sent += any(r.created_at >= before for r in rows)
    return sent
