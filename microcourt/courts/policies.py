"""Who a signed-in person is at the courts: the loader behind ``core.actor.actor_of``, the one
way to build an ``Actor`` from a request, a websocket scope or a task's stored user id
(docs/adr/0001-policies.md).

Organisational roles come from active ``StaffAssignment`` rows, read once per request. Rules
about what a role may do live in each app's ``policies.py``; this module only says who holds
what, where.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import CITIZEN, Actor
from microcourt.core.errors import NotFound
from microcourt.identity.roles import EXTERNAL_ROLES, OrgRole

from .models import StaffAssignment

# Court roles that reach every case of their court (the rule names them; 分案 puts the rest
# on a case's panel): the filing officer accepts and transfers, the division head assigns and
# supervises, the administrator keeps the court's data.
CASE_WIDE_ROLES = frozenset({OrgRole.FILING_OFFICER, OrgRole.DIVISION_HEAD, OrgRole.COURT_ADMIN})
# The role a staff member acts in when nothing narrower is asked, most senior first.
ROLE_ORDER = (
    OrgRole.JUDGE,
    OrgRole.DIVISION_HEAD,
    OrgRole.FILING_OFFICER,
    OrgRole.JUDGE_ASSISTANT,
    OrgRole.CLERK,
    OrgRole.MEDIATOR,
    OrgRole.ENFORCEMENT_OFFICER,
    OrgRole.COURT_ADMIN,
    OrgRole.BANKRUPTCY_ADMINISTRATOR,
    OrgRole.SHARED_COURT_STAFF,
)


# Read once per request for every signed-in caller: a fixed statement, so the ORM need not
# build and compile the same query each time (docs/benchmarks.md, request path).
_ROLES_SQL = (
    f"SELECT court_id, role FROM {StaffAssignment._meta.db_table} "  # noqa: S608 - values bound
    "WHERE user_id = %s AND active"
)


def court_roles_of(user_id: int | None) -> frozenset[tuple[int, str]]:
    if user_id is None:
        return frozenset()
    with connection.cursor() as cursor:
        cursor.execute(_ROLES_SQL, [user_id])
        return frozenset((court_id, role) for court_id, role in cursor.fetchall())


def actor_for(user: Any) -> Actor | None:
    """The actor for a user: its court roles loaded; it acts in its most senior role at its
    first court, or as a citizen when it holds none. ``None`` for an anonymous user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    roles = court_roles_of(user.pk)
    if not roles:
        return Actor(user=user, role=CITIZEN, court_roles=roles)
    order = {str(r): i for i, r in enumerate(ROLE_ORDER)}
    court_id, role = min(roles, key=lambda cr: (order.get(cr[1], len(order)), cr[0]))
    return Actor(user=user, role=role, court_id=court_id, court_roles=roles)


def actor_by_id(user_id: int, *, role: str | None = None, court_id: int | None = None) -> Actor:
    """For a task that stored who asked: the user again, acting in the role it asked in, if
    it still holds it (else as a citizen, so a revoked role no longer acts)."""
    user = get_user_model().objects.get(pk=user_id)
    actor = actor_for(user)
    if actor is None:
        raise LookupError("inactive user")
    if role is not None and actor.holds(role, court_id):
        return actor.acting(role, court_id)
    if role is not None and role != CITIZEN:
        return Actor(user=user, role=CITIZEN, court_roles=actor.court_roles)
    return actor


def staff_at(actor: Actor, court_id: int, roles: Any = None) -> Actor | None:
    """The actor acting in one of ``roles`` (all non-external roles if None) at that court,
    most senior first; ``None`` when it holds none of them there."""
    held = actor.roles_at(court_id)
    wanted = set(roles) if roles is not None else set(OrgRole.values) - EXTERNAL_ROLES
    for role in ROLE_ORDER:
        if role in held and role in wanted:
            return actor.acting(role, court_id)
    return None


def may_see_court_docket(actor: Actor, court_id: int) -> bool:
    """Whether the actor sees every case of that court (a court-wide role there)."""
    return bool(actor.roles_at(court_id) & CASE_WIDE_ROLES)


# --- 分案 (case assignment) -------------------------------------------------------------------


def heads_division(actor: Actor, court_id: int, division_id: int | None) -> bool:
    """Whether the actor is 庭长 of that division (a post naming no division heads every
    division of its court). Only the division head assigns by hand and reassigns: the rule
    names them (OrgRole.DIVISION_HEAD)."""
    if actor.user_id is None or OrgRole.DIVISION_HEAD not in actor.roles_at(court_id):
        return False
    posts = StaffAssignment.objects.filter(
        user_id=actor.user_id, court_id=court_id, role=OrgRole.DIVISION_HEAD, active=True
    ).values_list("division_id", flat=True)
    return any(post is None or post == division_id for post in posts)


def require_division_head(actor: Actor, court_id: int, division_id: int | None) -> Actor:
    """For assigning, reassigning and deciding 回避 on a division's case: the actor acting
    as its 庭长. Anyone else — a judge of the court, another court's staff — gets "not
    found", as for a case they cannot see."""
    if actor.is_system:
        return actor
    if not heads_division(actor, court_id, division_id):
        raise NotFound(_("没有找到该案件"))
    return actor.acting(OrgRole.DIVISION_HEAD, court_id)


# Who sits at the filing desk (立案审查): the roles ``filing.policies`` names for it, its
# OFFICER_ROLES and RECEIVING_ROLES (a test keeps the two equal); the workbench's navigation
# shows the desk's link only to them.
FILING_DESK_ROLES = frozenset(
    {OrgRole.FILING_OFFICER, OrgRole.COURT_ADMIN, OrgRole.SHARED_COURT_STAFF}
)
DIVISION_HEAD_ROLE = OrgRole.DIVISION_HEAD
