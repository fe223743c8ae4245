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
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from microcourt.core import fixedsql
from microcourt.core.actor import CITIZEN, Actor, actor_for
from microcourt.core.errors import Forbidden, InvalidInput, NotFound
from microcourt.core.middleware import request_memo
from microcourt.courts.policies import CASE_WIDE_ROLES

from .models import (
    COURT_ROLES,
    PARTY_ROLES,
    REPRESENTATIVE_ROLES,
    Case,
    CaseParticipant,
    CaseProcedure,
)

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


# --- 审理程序: ordinary, summary, small claims (民事诉讼法第十三章; rules.md B.5) ---

P = CaseProcedure
# Summary procedure: civil first instance at basic courts (民诉法第一百六十条) and administrative
# first instance (行政诉讼法第八十二条). Small claims: civil first instance at basic courts only
# (第一百六十五条). Other first-instance cases go the ordinary way.
SUMMARY_TYPES = frozenset({"民初", "行初"})
SMALL_CLAIMS_TYPES = frozenset({"民初"})
# 民诉法第一百六十五条: up to 50% of the province's previous-year average annual wage of employed
# persons; from there up to 2× only when both parties agree.
SMALL_CLAIMS_SHARE = Decimal("0.5")
SMALL_CLAIMS_AGREED_MULTIPLE = Decimal("2")
# Procedures under which 在线诉讼规则第二十条 allows an asynchronous trial.
ASYNC_TRIAL_PROCEDURES_ORDER = (P.SUMMARY, P.SMALL_CLAIMS)
ASYNC_TRIAL_PROCEDURES = frozenset(ASYNC_TRIAL_PROCEDURES_ORDER)
# Who decides a case's procedure: its judge (the presiding judge of the panel).
PROCEDURE_ROLES = frozenset({"judge"})


def require_set_procedure(actor: Actor, case: Case) -> None:
    """Only the judge on the case, while they hold a role at its court; anyone else who can see
    the case is refused, anyone who cannot gets ``NotFound``."""
    if actor.is_system:
        return
    held = case_roles(actor, case)
    if not held:
        raise NotFound(_("没有找到该案件"))
    if not held & PROCEDURE_ROLES:
        raise Forbidden(_("只有本案的承办法官可以确定审理程序"))


def average_wage(court: Any) -> Decimal | None:
    """The configured previous-year average annual wage of employed persons of the court's
    province (``settings.SMALL_CLAIMS_AVERAGE_WAGES``), None when not configured."""
    raw = (getattr(settings, "SMALL_CLAIMS_AVERAGE_WAGES", None) or {}).get(court.province)
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def small_claims_limits(court: Any) -> tuple[Decimal, Decimal] | None:
    """(the cap, the cap with both parties' agreement) in yuan at this court (第一百六十五条)."""
    wage = average_wage(court)
    if wage is None:
        return None
    return wage * SMALL_CLAIMS_SHARE, wage * SMALL_CLAIMS_AGREED_MULTIPLE


def procedure_misfit(case: Case, procedure: str) -> str | None:
    """Why the case, by its type, court and claim, cannot be tried under ``procedure`` (None
    when it can). These facts of the case are read again wherever the procedure matters
    (the asynchronous trial), since a case's type or court may be corrected after the choice."""
    code = case.case_type.code
    if procedure not in P.values or procedure == P.UNDECIDED:
        return str(_("请选择普通程序、简易程序或小额诉讼程序"))
    if not code.endswith("初"):
        return str(_("审理程序仅适用于第一审案件"))
    if procedure == P.SMALL_CLAIMS:
        if code not in SMALL_CLAIMS_TYPES or case.court.level != "basic":
            return str(_("小额诉讼程序仅适用于基层人民法院审理的第一审民事案件"))
        if case.amount_claimed is None:
            return str(_("小额诉讼程序仅适用于金钱给付案件，本案未载明诉讼请求金额"))
    if procedure == P.SUMMARY:
        if code not in SUMMARY_TYPES:
            return str(_("简易程序仅适用于第一审民事、行政案件"))
        if code == "民初" and case.court.level != "basic":
            return str(_("民事简易程序仅适用于基层人民法院"))
    return None


def procedure_refusal(
    case: Case, procedure: str, *, parties_agree: bool = False, no_exclusion: bool = False
) -> dict[str, str]:
    """Why the judge may not put the case under ``procedure`` now, by field (empty when they
    may): the fit of ``procedure_misfit``; for small claims the amount cap of 第一百六十五条 and
    the exclusions of 第一百六十六条, which the judge confirms; and the changes the law allows
    — summary or small claims to ordinary (第一百七十条) and small claims to summary
    (第一百六十九条) always, ordinary to summary only as the parties agree (第一百六十条第二款)."""
    misfit = procedure_misfit(case, procedure)
    if misfit:
        return {"procedure": misfit}
    current = case.procedure
    if procedure == current:
        return {"procedure": str(_("本案已适用该程序"))}
    if current == P.ORDINARY and procedure != P.ORDINARY and not parties_agree:
        message = str(_("已适用普通程序的案件，须经双方当事人约定才能适用简易程序"))
        return {"procedure": message, "parties_agree": message}
    if procedure == P.SMALL_CLAIMS:
        limits = small_claims_limits(case.court)
        if limits is None:
            return {
                "procedure": str(
                    _("尚未配置%(province)s上年度就业人员年平均工资，无法确定小额诉讼的标的额上限")
                )
                % {"province": case.court.province or str(_("本省"))}
            }
        cap, agreed_cap = limits
        amount = case.amount_claimed
        assert amount is not None  # procedure_misfit
        if amount > agreed_cap:
            return {
                "procedure": str(
                    _("标的额超过上年度就业人员年平均工资的两倍（%(cap)s元），不得适用小额诉讼程序")
                )
                % {"cap": f"{agreed_cap:,.2f}"}
            }
        if amount > cap and not parties_agree:
            message = str(
                _(
                    "标的额超过上年度就业人员年平均工资的百分之五十（%(cap)s元），"
                    "须经双方当事人约定才能适用小额诉讼程序"
                )
            ) % {"cap": f"{cap:,.2f}"}
            return {"procedure": message, "parties_agree": message}
        if not no_exclusion:
            message = str(
                _(
                    "请确认本案不属于第一百六十六条不适用小额诉讼程序的情形（人身关系、财产确权、"
                    "涉外、需要评估鉴定、一方当事人下落不明、提出反诉等）"
                )
            )
            return {"procedure": message, "no_exclusion": message}
    return {}
