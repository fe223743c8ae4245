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

from django.db import connection
from django.db.models import Q, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from microcourt.core import fixedsql
from microcourt.core.actor import CITIZEN, Actor, actor_for
from microcourt.core.errors import Forbidden, InvalidInput, NotFound
from microcourt.core.middleware import request_memo
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
    """A filter for the cases the actor may see (``prefix`` for a related model's case): the
    ones they filed, the ones they take part in (a panel seat only while they still hold a
    role at that court), and every case of a court where they hold a court-wide role."""
    p = prefix
    mine = {f"{p}participants__user_id": actor.user_id, f"{p}participants__active": True}
    return (
        Q(**{f"{p}filed_by_id": actor.user_id})
        | Q(**mine, **{f"{p}participants__role__in": PARTY_SIDE})
        | Q(**mine, **{f"{p}court_id__in": actor.courts_with(r for _c, r in actor.held)})
        | Q(**{f"{p}court_id__in": actor.courts_with(CASE_WIDE_ROLES)})
    )


def case_roles(actor: Actor, case: Case) -> frozenset[str]:
    """Every role the actor holds on this case (see the module's docstring)."""
    if actor.is_system:
        return frozenset({actor.role})
    if actor.user_id is None:
        return frozenset()
    if actor.case_id == case.pk and actor.case_roles:
        return actor.case_roles
    roles: set[str] = set()
    at_court = actor.roles_at(case.court_id)
    for p in _participations(actor, case):
        if p.role in PANEL_ROLES and not at_court:
            continue
        roles.add(p.role)
    roles |= at_court & CASE_WIDE_ROLES
    if not roles and case.filed_by_id is not None and case.filed_by_id == actor.user_id:
        roles.add("filer")
    return frozenset(roles)


def _participations(actor: Actor, case: Case) -> list[CaseParticipant]:
    """The actor's active rows on the case, with the party each represents: one query that
    ``case_roles`` and ``represented_parties`` share, asked several times per request (the
    case lookup, then each app's policies), so a read-only request asks it once."""
    memo = request_memo()
    key = ("participations", actor.user_id, case.pk)
    if memo is not None and key in memo:
        return memo[key]
    # A fixed statement: the ORM built and compiled this query (ordered by the model's default,
    # which joined the case table) at several times the cost of running it, on every
    # case-scoped request (docs/benchmarks.md, request path).
    # ``RawQuerySet`` worked out its columns and converters again on every call: the rows are
    # built by ``core.fixedsql``, whose plan is made once per process.
    with connection.cursor() as cursor:
        cursor.execute(_PARTICIPATIONS_SQL, [case.pk, actor.user_id])
        rows = [fixedsql.instance(CaseParticipant, row) for row in cursor.fetchall()]
    if any(p.represents_id is not None for p in rows):
        prefetch_related_objects(rows, "represents")  # an agent's parties, in one query
    if memo is not None:
        memo[key] = rows
    return rows


_PARTICIPATIONS_SQL = (
    f"SELECT {fixedsql.columns(CaseParticipant, 'p')} "  # noqa: S608 - names; values bound
    f"FROM {CaseParticipant._meta.db_table} p "
    "WHERE p.case_id = %s AND p.user_id = %s AND p.active ORDER BY p.id"
)


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
    for p in _participations(actor, case):
        if p.role in PARTY_ROLES:
            parties.append(p)
        elif p.role in REPRESENTATIVE_ROLES and p.represents and p.represents.active:
            parties.append(p.represents)
    return parties


# --- The case record's own rules (cases.actions calls these) ---

# Court-side roles that manage a case's participants and record consent taken offline.
MANAGING_ROLES = frozenset(
    {"filing_officer", "division_head", "judge", "clerk", "judge_assistant", "court_admin"}
)
# Who puts the court's people on a case (分案): the filing division, the division head, the
# administrator, and the presiding judge for their own assistant and clerk.
ASSIGNING_ROLES = frozenset({"filing_officer", "division_head", "court_admin", "judge"})


def require_visible(actor: Actor, case: Case) -> None:
    """Acting on a case one may not see answers like a case that does not exist."""
    if not actor.is_system and not case_roles(actor, case):
        raise NotFound(_("没有找到该案件"))


def may_manage_participants(actor: Actor, case: Case) -> bool:
    return actor.is_system or bool(case_roles(actor, case) & MANAGING_ROLES)


def require_add_participant(actor: Actor, case: Case, *, role: str, user: Any) -> None:
    """Court staff on the case add anyone; the person who filed may add parties and agents
    while the case is only filed (在线诉讼规则第十一条: the complaint names them). The court's
    people on a case are assigned only by those who assign (分案), and only people who hold a
    role at the case's court."""
    require_visible(actor, case)
    manages = may_manage_participants(actor, case)
    filer = case.status == "filed" and actor.user_id == case.filed_by_id
    if not (manages or filer):
        raise Forbidden(_("您没有添加诉讼参与人的权限。"))
    if role in PANEL_ROLES:
        if not (actor.is_system or case_roles(actor, case) & ASSIGNING_ROLES):
            raise Forbidden(_("只有立案庭、庭长、法院管理员或承办法官可以指派办案人员。"))
        if user is not None and not _holds_any_role_at(user, case.court_id):
            raise InvalidInput(
                _("只能指派本院在岗的工作人员"), fields={"user": _("该人员不是本院工作人员")}
            )


def _holds_any_role_at(user: Any, court_id: int) -> bool:
    actor = actor_for(user)
    return actor is not None and bool(actor.roles_at(court_id))


def may_record_consent_for(actor: Actor, participant: CaseParticipant) -> bool:
    """The party itself, its active representative, or the court recording a phone or
    written answer (在线诉讼规则第四条)."""
    own = actor.user_id is not None and actor.user_id == participant.user_id
    agent = (
        actor.user_id is not None
        and participant.representatives.filter(user_id=actor.user_id, active=True).exists()
    )
    return own or agent or may_manage_participants(actor, participant.case)
