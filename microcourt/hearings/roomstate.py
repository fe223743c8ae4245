"""What each person in a session is and sees over the socket: their standing (seat, court
or not), whether they see the room (an uncalled witness does not), and the state sent on
connect. Reads only; the controls that change it are in ``actions.control``."""

from __future__ import annotations

import logging

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from . import policies, selectors
from .models import (
    COURT_SEATS,
    Seat,
    SeatRole,
    SeatStatus,
    Session,
)

log = logging.getLogger("microcourt.hearings")


NO_SEAT = _("您在本次庭审中没有席位")


def standing(
    actor: Actor | None, session_id: int, seat_id: int | None = None
) -> tuple[Actor, Session, Seat | None]:
    """(actor, session, seat) for a person with a seat in the session (a witness with no role
    on the case included) or one of the court's people of its case; NotFound for anyone else
    (and for a seat whose case participant was taken off the case)."""
    if actor is None:
        raise NotFound(_("没有找到该庭审"))
    session = (
        Session.objects.select_related("case", "case__court", "exhibit", "spotlight")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound(_("没有找到该庭审"))
    seat = selectors.seat_of(actor, session, seat_id)
    if seat is not None and seat.participant_id is not None and not seat.participant.active:
        seat = None
    if seat is None:
        policies.require_visible(actor, session)
        if not policies.is_court(actor, session):
            raise NotFound(_("没有找到该庭审"))
    return actor, session, seat


def is_court(actor: Actor, session: Session) -> bool:
    return policies.is_court(actor, session)


def sees_room(session: Session, seat: Seat | None, court: bool) -> bool:
    """Whether the socket sees the room: everyone with a seat but a witness not yet called
    (第二十六条: waits unable to see or hear) and a person the judge removed."""
    if court or seat is None:
        return court
    if seat.role in COURT_SEATS:
        return True
    if seat.status == SeatStatus.REMOVED:
        return False
    return not (seat.role == SeatRole.WITNESS and not seat.called)


def exhibit_out(session: Session) -> dict | None:
    exhibit = session.exhibit
    if exhibit is None:
        return None
    kwargs = {"case_id": exhibit.case_id, "number": exhibit.number}
    return {
        "id": exhibit.pk,
        "case_id": exhibit.case_id,
        "number": exhibit.number,
        "name": exhibit.name,
        "pages": exhibit.pages,
        "page": session.exhibit_page,
        "mime": exhibit.mime,
        "preview_url": reverse("evidence:preview", kwargs=kwargs),
        "file_url": reverse("evidence:file", kwargs=kwargs),
    }


def hands(session: Session) -> list[int]:
    return list(
        session.seats.filter(hand_raised_at__isnull=False)
        .order_by("hand_raised_at", "pk")
        .values_list("pk", flat=True)
    )


def state_for(actor: Actor, session: Session, seat: Seat | None, *, court: bool) -> dict:
    """What the socket sends on connect (consumers' docstring)."""
    session = Session.objects.select_related("case", "exhibit", "spotlight").get(pk=session.pk)
    if not sees_room(session, seat, court):
        message = (
            _("您已被审判长请出法庭")
            if seat is not None and seat.status == SeatStatus.REMOVED
            else _("证人请在候审室等候传唤")
        )
        return {
            "event": "state",
            "in_room": False,
            "waiting": True,
            "id": session.pk,
            "status": session.status,
            "status_label": str(session.get_status_display()),
            "version": session.version,
            "my_seat_id": seat.pk if seat else None,
            "my_seat": selectors.seat_out(seat) if seat else None,
            "message": str(message),
        }
    detail = selectors.session_detail(session, actor)
    exhibit = exhibit_out(session)
    if exhibit and not court and (seat is None or seat.case_id != exhibit["case_id"]):
        exhibit = {"hidden": True}
    state = {
        "event": "state",
        **detail,
        "in_room": True,
        "waiting": False,
        "exhibit": exhibit,
        "hands": hands(session),
        "feeds": {
            str(pk): feed
            for pk, feed in session.seats.exclude(feed_id=None).values_list("pk", "feed_id")
        },
    }
    if court:
        state["attendance"] = selectors.attendance_summary(session)
        state["rejoin_grace_seconds"] = int(selectors.grace().total_seconds())
    return state


# -- the plumbing every op shares --------------------------------------------------------------
