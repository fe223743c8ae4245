"""Who may do what on a case (ADR 0001): functions of the actor and the case, used by every
app's actions, selectors and interfaces alike.

A person's standing on a case is the union of
- its active case roles (``CaseParticipant``): a party, a party's representative, or one of
  the court's people on the panel (judge, judge's assistant, clerk, mediator) — a panel role
  counts only while the person still holds a role at the case's court;
- the court-wide roles it holds at the case's court (``courts.policies.CASE_WIDE_ROLES``:
  filing officer, division head, administrator), which reach every case there.
Staff at another court, or at this court but not on this case, have no standing: the case is
"not found" to them, exactly as one that does not exist.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import CITIZEN, Actor
from microcourt.core.errors import Forbidden, NotFound
from microcourt.courts.policies import CASE_WIDE_ROLES

from .models import COURT_ROLES, PARTY_ROLES, REPRESENTATIVE_ROLES, Case, CaseParticipant

# The role recorded when a person acts on a case: the panel's first, then court-wide roles;
# parties and their representatives act as citizens (their case role is in ``case_roles``).
ACTING_ORDER = (
    "judge",
    "judge_assistant",
    "clerk",
    "mediator",
    "division_head",
    "filing_officer",
    "court_admin",
)
# The panel: the court's people assigned to the case (分案).
PANEL_ROLES = COURT_ROLES
# Court roles that act for the court on a case: the panel and the court-wide roles.
COURT_SIDE = frozenset(PANEL_ROLES | CASE_WIDE_ROLES)
PARTY_SIDE = frozenset(PARTY_ROLES | REPRESENTATIVE_ROLES)


def visible_q(actor: Actor, prefix: str = "") -> Q:
    """A filter for the cases the actor may see (``prefix`` for a related model's case)."""
    p = prefix
    courts = actor.courts_with(CASE_WIDE_ROLES)
    return (
        Q(**{f"{p}filed_by_id": actor.user_id})
        | Q(**{f"{p}participants__user_id": actor.user_id, f"{p}participants__active": True})
        | Q(**{f"{p}court_id__in": courts})
    )


def case_roles(actor: Actor, case: Case) -> frozenset[str]:
    """Every role the actor holds on this case (see the module's docstring)."""
    if actor.is_system:
        return frozenset({actor.role})
    if actor.case_id == case.pk and actor.case_roles:
        return actor.case_roles
    roles: set[str] = set()
    at_court = actor.roles_at(case.court_id)
    for role in CaseParticipant.objects.filter(
        case_id=case.pk, user_id=actor.user_id, active=True
    ).values_list("role", flat=True):
        if role in PANEL_ROLES and not at_court:
            continue
        roles.add(role)
    roles |= at_court & CASE_WIDE_ROLES
    if not roles and case.filed_by_id is not None and case.filed_by_id == actor.user_id:
        roles.add("filer")
    return frozenset(roles)


def on_case(actor: Actor, case: Case) -> Actor:
    """The actor bound to this case, acting in its most senior role there (what the ledger
    records: a judge acts as a judge, a party as a citizen). ``NotFound`` without standing."""
    if actor.is_system:
        return actor
    roles = case_roles(actor, case)
    if not roles:
        raise NotFound(_("没有找到该案件"))
    role = next((r for r in ACTING_ORDER if r in roles), None)
    if role is None:
        return replace(actor, role=CITIZEN, court_id=None, case_id=case.pk, case_roles=roles)
    return replace(actor, role=role, court_id=case.court_id, case_id=case.pk, case_roles=roles)


def is_court_side(actor: Actor, case: Case) -> bool:
    return actor.is_system or bool(case_roles(actor, case) & COURT_SIDE)


def is_panel(actor: Actor, case: Case) -> bool:
    return bool(case_roles(actor, case) & PANEL_ROLES)


def require_court_side(actor: Actor, case: Case, roles: Any = None) -> None:
    """For an act of the court on a case: the actor must hold one of ``roles`` on it (the
    panel or the court-wide roles when None). Someone who cannot see the case gets
    ``NotFound``; a party or a staff member in the wrong role gets ``Forbidden``."""
    if actor.is_system:
        return
    held = case_roles(actor, case)
    if not held:
        raise NotFound(_("没有找到该案件"))
    wanted = COURT_SIDE if roles is None else frozenset(roles)
    if not held & wanted:
        raise Forbidden(_("只有本案的承办人员可以执行此操作。"))


def represented_parties(actor: Actor, case: Case) -> list[CaseParticipant]:
    """The parties the actor is, or acts for, on this case."""
    if actor.is_system or actor.user_id is None:
        return []
    parties: list[CaseParticipant] = []
    for p in CaseParticipant.objects.filter(
        case_id=case.pk, user_id=actor.user_id, active=True
    ).select_related("represents"):
        if p.role in PARTY_ROLES:
            parties.append(p)
        elif p.role in REPRESENTATIVE_ROLES and p.represents and p.represents.active:
            parties.append(p.represents)
    return parties
