from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.calendar import CourtCalendar
from microcourt.core.errors import NotFound
from microcourt.core.selectors import national_calendar
from microcourt.identity.roles import EXTERNAL_ROLES

from . import policies
from .models import Court, Level, StaffAssignment


def courts(*, province: str = "", city: str = "", level: str = "", q: str = "") -> QuerySet[Court]:
    qs = Court.objects.filter(active=True).select_related("parent")
    if province:
        qs = qs.filter(province=province)
    if city:
        qs = qs.filter(city=city)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code=q) | Q(name_en__icontains=q)
        )
    return qs.order_by("code")


def provinces() -> list[dict]:
    """Provinces with their high court, for the first browse level."""
    highs = Court.objects.filter(active=True, level=Level.HIGH).order_by("code")
    return [{"province": c.province, "court": c} for c in highs if c.province]


def cities(province: str) -> list[dict]:
    rows = (
        Court.objects.filter(active=True, province=province)
        .exclude(city="")
        .values_list("city", flat=True)
        .distinct()
    )
    return [
        {"city": city, "count": Court.objects.filter(province=province, city=city).count()}
        for city in sorted(set(rows))
    ]


def court(code: str) -> Court:
    found = Court.objects.filter(code=code, active=True).select_related("parent").first()
    if found is None:
        raise NotFound(_("没有找到代字为“%(code)s”的法院") % {"code": code})
    return found


def court_calendar(court: Court) -> CourtCalendar:
    return national_calendar(closures=court.closures.values_list("date", flat=True))


def staff_actor(user, *, court: Court | None = None, role: str | None = None) -> Actor:
    """The actor for a staff member acting in one of their roles (at ``court``, in
    ``role`` when named; the most senior otherwise), with every role it holds loaded as
    ``core.actor.actor_for`` does; NotFound when it holds no such role."""
    actor = policies.actor_for(user)
    if actor is None:
        raise NotFound(_("没有找到该人员的任职"))
    held = [
        (court_id, held_role)
        for court_id, held_role in actor.held
        if (court is None or court_id == court.pk) and (role is None or held_role == role)
    ]
    if not held:
        raise NotFound(_("没有找到该人员的任职"))
    order = {r: i for i, r in enumerate(policies.ROLE_ORDER)}
    court_id, chosen = min(held, key=lambda cr: (order.get(cr[1], len(order)), cr[0]))
    return actor.acting(chosen, court_id)


def map_links(court: Court) -> dict[str, str]:
    """Navigation links for the phone's map apps (WGS-84 coordinates)."""
    if court.latitude is None or court.longitude is None:
        return {}
    lat, lng = court.latitude, court.longitude
    from urllib.parse import quote

    name = quote(court.name)
    return {
        "amap": f"https://uri.amap.com/marker?position={lng},{lat}&name={name}&coordinate=wgs84",
        "osm": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=17/{lat}/{lng}",
    }


def docket_court_ids(user_id: int) -> QuerySet:
    """The courts whose whole docket a staff member sees. External roles (bankruptcy
    administrators, shared-court staff) act in the system but not across a court's cases."""
    return (
        StaffAssignment.objects.filter(user_id=user_id, active=True)
        .exclude(role__in=EXTERNAL_ROLES)
        .values("court_id")
    )


def holds_role(user_id: int | None, *, court_id: int, role: str) -> bool:
    """Whether the user really holds ``role`` at that court now."""
    return (
        user_id is not None
        and StaffAssignment.objects.filter(
            user_id=user_id, court_id=court_id, role=role, active=True
        ).exists()
    )


def staff_holding(*, court_id: int, roles) -> QuerySet:
    """The people actively holding one of ``roles`` at that court now (whom to alert)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_assignments__court_id=court_id,
            staff_assignments__role__in=list(roles),
            staff_assignments__active=True,
        )
        .distinct()
        .order_by("pk")
    )


def court_ids_for_roles(user_id: int | None, roles) -> QuerySet:
    """The courts where the user actively holds one of ``roles``."""
    return StaffAssignment.objects.filter(user_id=user_id, role__in=roles, active=True).values(
        "court_id"
    )
