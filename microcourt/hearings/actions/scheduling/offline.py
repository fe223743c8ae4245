"""A party's request to attend offline and the court's decision (在线诉讼规则第五条)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications import templates as notification_templates

from ... import live, notices, policies, selectors
from ...events import LedgerEvent
from ...models import (
    COURT_SEATS,
    OfflineRequest,
    Participation,
    SeatRole,
    Session,
    SessionStatus,
)
from .rules import (
    _chosen_mode,
    participation_apply,
)

# --- a party's request to attend offline (在线诉讼规则第五条) -------------------------------------


def offline_request_create(*, session: Session, actor: Actor, reason: str) -> OfflineRequest:
    """The seat holder asks to attend offline, with reasons, before the session starts."""
    policies.require_visible(actor, session)
    seat = selectors.seat_of(actor, session)
    if seat is None or seat.role in COURT_SEATS:
        raise Conflict(_("只有当事人和其他诉讼参与人可以申请线下参加"), code="no_seat")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise InvalidInput(_("请说明理由"), fields={"reason": str(_("请说明申请线下参加的理由"))})
    if len(reason) > 1000:
        raise InvalidInput(_("理由过长"), fields={"reason": str(_("请在1000字以内"))})
    with transaction.atomic():
        current = Session.objects.select_for_update().get(pk=session.pk)
        if current.status != SessionStatus.SCHEDULED or current.starts_at <= timezone.now():
            raise Conflict(_("庭审已经开始或已取消，不能再申请"), code="invalid_transition")
        if seat.participation == Participation.OFFLINE:
            raise Conflict(_("您已是线下参加"), code="already_offline")
        if seat.offline_requests.filter(status=OfflineRequest.Status.PENDING).exists():
            raise Conflict(_("您已有待审查的申请"), code="pending")
        request = OfflineRequest.objects.create(seat=seat, reason=reason)
        ledger.record(
            code=LedgerEvent.OFFLINE_REQUESTED,
            actor=case_policies.on_case(actor, seat.case),
            case_id=seat.case_id,
            data={"session": session.pk, "seat": seat.pk, "request": request.pk},
        )
        for court_seat in current.seats.filter(role__in=COURT_SEATS, user__isnull=False).exclude(
            role=SeatRole.COURTROOM
        ):
            notifications.notify(
                event=notices.OFFLINE_REQUESTED,
                idempotency_key=f"{notices.OFFLINE_REQUESTED}:{request.pk}:{court_seat.pk}",
                params={
                    "no": current.case.number or current.case.title,
                    "name": seat.label,
                    "at": current.starts_at,
                    "kind": str(current.get_kind_display()),
                    "reason": reason[:200],
                },
                recipient=court_seat.user,
                url=f"/hearings/{current.pk}/schedule/",
            )
    return request


def offline_request_decide(
    *, request: OfflineRequest, actor: Actor, grant: bool, note: str = "", venue: str = ""
) -> OfflineRequest:
    """The court decides; granted, the seat attends offline and the session becomes mixed
    (held where ``venue`` says, or at the court)."""
    session = request.seat.session
    policies.require_court(actor, session)
    if not isinstance(grant, bool):
        raise InvalidInput(_("请选择是否准许"), fields={"grant": str(_("请选择准许或不准许"))})
    note = (note or "").strip()
    venue = (venue or "").strip()
    if len(note) > 500:
        raise InvalidInput(_("意见过长"), fields={"note": str(_("请在500字以内"))})
    if not grant and not note:
        raise InvalidInput(_("请说明不准许的理由"), fields={"note": str(_("请说明不准许的理由"))})
    if len(venue) > 100:
        raise InvalidInput(_("法庭名称过长"), fields={"venue": str(_("请在100字以内"))})
    with transaction.atomic():
        locked = OfflineRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != OfflineRequest.Status.PENDING:
            raise Conflict(_("该申请已经审查"), code="decided")
        current = Session.objects.select_for_update().get(pk=session.pk)
        if current.status != SessionStatus.SCHEDULED:
            raise Conflict(_("庭审已经开始或已取消"), code="invalid_transition")
        locked.status = OfflineRequest.Status.GRANTED if grant else OfflineRequest.Status.REFUSED
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
        )
        if grant:
            if venue and venue != current.venue:
                current.venue = venue
                current.save(update_fields=["venue", "updated_at"])
            participation_apply(session=current, chosen_mode=_chosen_mode(current))
            current.version += 1
            current.save(update_fields=["version", "updated_at"])
            live.push(current.pk, "participation", seat=locked.seat_id, version=current.version)
        seat = locked.seat
        ledger.record(
            code=LedgerEvent.OFFLINE_DECIDED,
            actor=actor,
            case_id=seat.case_id,
            data={
                "session": current.pk,
                "seat": seat.pk,
                "request": locked.pk,
                "granted": grant,
                **({"note": note} if note else {}),
                "mode": current.mode,
            },
        )
        if seat.user_id is not None:
            with translation.override(notification_templates.language_of(seat.user)):
                params = {
                    "no": current.case.number or current.case.title,
                    "at": current.starts_at,
                    "kind": str(current.get_kind_display()),
                    "decision": str(_("准许，请线下到庭：%(venue)s") % {"venue": current.venue})
                    if grant
                    else str(_("不准许")),
                    "note": note,
                }
            notifications.notify(
                event=notices.OFFLINE_DECIDED,
                idempotency_key=f"{notices.OFFLINE_DECIDED}:{locked.pk}",
                params=params,
                recipient=seat.user,
                url="/hearings/mine/",
            )
    return locked
