"""Reads of hearings, scoped to the actor (ARCHITECTURE §4.4)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import Case
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from . import policies
from .models import COURT_SEATS, Seat, Session


def sessions_of_case(actor: Actor, case: Case) -> QuerySet[Session]:
    """The case's sessions, its own and the joint ones it is heard in."""
    case_policies.require_visible(actor, case)
    return (
        Session.objects.filter(Q(case=case) | Q(case_links__case=case))
        .distinct()
        .select_related("case", "case__court")
        .order_by("starts_at", "pk")
    )


def session_for(actor: Actor, session_id: int) -> Session:
    """The session if the actor may see it; NotFound otherwise (an outsider learns nothing)."""
    session = (
        Session.objects.select_related("case", "case__court", "exhibit", "spotlight")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound(_("没有找到该庭审"))
    policies.require_visible(actor, session)
    return session


def seat_of(actor: Actor, session: Session, seat_id: int | None = None) -> Seat | None:
    """The actor's seat in the session: the one asked for by ``seat_id`` if it is theirs,
    else the court's seat before a party's (a judge who is also an agent elsewhere sits as
    the judge), and a person's own seat before the courtroom camera's."""
    if actor.user_id is None:
        return None
    seats = list(session.seats.filter(user_id=actor.user_id))
    if seat_id is not None:
        return next((s for s in seats if s.pk == seat_id), None)
    if not seats:
        return None
    order = [r for r, _ in Seat._meta.get_field("role").choices]
    return min(seats, key=lambda s: order.index(s.role))


def seats(session: Session) -> list[Seat]:
    return list(session.seats.select_related("participant").order_by("pk"))


def upcoming_for_user(actor: Actor, *, since) -> QuerySet[Session]:
    """Sessions where the actor holds a seat, from ``since`` on (my hearings)."""
    return (
        Session.objects.filter(seats__user_id=actor.user_id, starts_at__gte=since)
        .exclude(status="cancelled")
        .select_related("case", "case__court")
        .distinct()
        .order_by("starts_at")
    )


def session_out(session: Session) -> dict:
    return {
        "id": session.pk,
        "case_id": session.case_id,
        "case_number": session.case.number,
        "kind": session.kind,
        "kind_label": str(session.get_kind_display()),
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "duration_minutes": session.duration_minutes,
        "status": session.status,
        "status_label": str(session.get_status_display()),
        "mode": session.mode,
        "procedure": session.procedure,
        "layout": session.layout,
        "venue": session.venue,
        "stage": session.stage,
        "stage_label": str(session.get_stage_display()),
        "waiting_room": session.waiting_room,
        "locked": session.locked,
        "public": session.public,
        "joint_case_ids": [link.case_id for link in session.case_links.all()],
        "version": session.version,
    }


def seat_out(seat) -> dict:
    return {
        "id": seat.pk,
        "role": seat.role,
        "role_label": str(seat.get_role_display()),
        "name": seat.name,
        "case_id": seat.case_id,
        "participation": seat.participation,
        "status": seat.status,
        "muted": seat.muted,
        "camera_off": seat.camera_off,
        "present": seat.present,
        "called": seat.called,
    }


def session_detail(session: Session, actor) -> dict:
    mine = seat_of(actor, session)
    return {
        **session_out(session),
        "seats": [seat_out(s) for s in seats(session)],
        "exhibit_id": session.exhibit_id,
        "exhibit_page": session.exhibit_page,
        "spotlight_seat_id": session.spotlight_id,
        "my_seat_id": mine.pk if mine else None,
    }


def seat_identities(session: Session) -> dict[str, dict]:
    """For the clerk checking identity before admitting (核对身份): each party's or witness's
    verified name and masked ID number, by seat id."""
    from microcourt.identity import selectors as identity_selectors

    out = {}
    for seat in seats(session):
        if seat.user_id is None or seat.role in COURT_SEATS:
            continue
        found = identity_selectors.identity_masked(seat.user)
        if found:
            out[str(seat.pk)] = {"name": found["name"], "id_number": found["id_number"]}
    return out
