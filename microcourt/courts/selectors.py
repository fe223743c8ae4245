from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.calendar import CourtCalendar
from microcourt.core.errors import NotFound
from microcourt.core.selectors import national_calendar
from microcourt.identity.roles import EXTERNAL_ROLES, OrgRole

from . import policies
from .models import (
    AssignmentKind,
    AssignmentRule,
    Court,
    Division,
    DivisionKind,
    Level,
    Recusal,
    StaffAssignment,
)


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


# --- 分案 (case assignment) -------------------------------------------------------------------

# A case's division by the first character of its 类型代字 (民初 → civil, 行初 → administrative,
# 刑初 → criminal, 执 → enforcement, 破申 → bankruptcy); anything else goes to the civil division.
DIVISION_BY_TYPE = {
    "民": DivisionKind.CIVIL,
    "行": DivisionKind.ADMINISTRATIVE,
    "刑": DivisionKind.CRIMINAL,
    "执": DivisionKind.ENFORCEMENT,
    "破": DivisionKind.BANKRUPTCY,
}


def division_for(court_id: int, type_code: str) -> Division | None:
    """The division that tries a case of this type at this court: the one of its kind (the
    first by name when there are several), else the court's civil division, else none."""
    kind = DIVISION_BY_TYPE.get((type_code or "")[:1], DivisionKind.CIVIL)
    divisions = Division.objects.filter(court_id=court_id).order_by("name", "pk")
    return divisions.filter(kind=kind).first() or divisions.filter(kind=DivisionKind.CIVIL).first()


def assignment_rule(division: Division) -> AssignmentRule:
    """The division's rule, or the default (weighted random) when none is set."""
    found = AssignmentRule.objects.filter(division=division).first()
    return found or AssignmentRule(division=division)


def division_staff(division: Division, role: str) -> list[int]:
    """The users actively holding ``role`` in this division, by id."""
    return list(
        StaffAssignment.objects.filter(
            division=division, role=role, active=True, user__is_active=True
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def recused_on(case_id: int) -> set[int]:
    """The people of the court a granted 回避 keeps off this case."""
    return set(Recusal.objects.filter(case_id=case_id).values_list("user_id", flat=True))


def headed_divisions(actor: Actor) -> list[Division]:
    """The divisions whose cases the actor assigns as 庭长: its own division, or every
    division of its court when its post names none."""
    posts = StaffAssignment.objects.filter(
        user_id=actor.user_id, role=OrgRole.DIVISION_HEAD, active=True
    ).values_list("court_id", "division_id")
    found: dict[int, Division] = {}
    for court_id, division_id in posts:
        qs = Division.objects.filter(court_id=court_id).exclude(kind=DivisionKind.FILING)
        if division_id is not None:
            qs = qs.filter(pk=division_id)
        for division in qs.select_related("court"):
            found[division.pk] = division
    return sorted(found.values(), key=lambda d: (d.court.code, d.name))


def people_named(user_ids) -> dict[int, str]:
    """Display names of court staff by user id (for the assignment page)."""
    from django.contrib.auth import get_user_model

    rows = get_user_model().objects.filter(pk__in=list(user_ids))
    return {u.pk: (getattr(u, "display_name", "") or u.username) for u in rows}


def staff_user(user_id):
    """The active user a form names by id, or None (a bad value names nobody)."""
    from django.contrib.auth import get_user_model

    try:
        pk = int(str(user_id))
    except ValueError:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first() if pk > 0 else None


ASSIGNMENT_KINDS = AssignmentKind.choices


def headed_division(actor: Actor, division_id) -> Division | None:
    """One of the divisions the actor heads, by the id a form names; None otherwise."""
    return next((d for d in headed_divisions(actor) if str(d.pk) == str(division_id)), None)


def division_heads(*, court_id: int, division_id: int | None):
    """The 庭长 who assign that division's cases: those posted to it, and those whose post
    names no division (they head every division of the court)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    posts = StaffAssignment.objects.filter(
        court_id=court_id, role=OrgRole.DIVISION_HEAD, active=True
    ).filter(Q(division__isnull=True) | Q(division_id=division_id))
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=posts.values("user_id"))
        .order_by("pk")
    )
