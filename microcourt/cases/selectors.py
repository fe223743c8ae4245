"""Reads of cases, always scoped to the actor (ARCHITECTURE §4.4): what an actor may not see
is "not found", exactly as what does not exist."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from microcourt.core import fixedsql
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.courts import selectors as court_selectors

from . import policies
from .models import (
    Case,
    CaseParticipant,
    CaseType,
    ParticipantRole,
    StageConsent,
)


def cases_for(actor: Actor) -> QuerySet[Case]:
    """The cases the actor may see (``policies.visible_q``): the ones they filed or take part
    in, and every case of a court where they hold a court-wide role."""
    qs = Case.objects.select_related("court", "case_type")
    if actor.is_system:
        return qs
    return qs.filter(pk__in=Case.objects.filter(policies.visible_q(actor)).values("pk"))


def case_for(actor: Actor, case_id: int) -> Case:
    """One case the actor may see; ``NotFound`` for both "absent" and "not allowed".

    The case by its key, then the actor's standing on it (``policies.case_roles``, the rule
    ``visible_q`` also states): two indexed lookups, where filtering by ``visible_q`` had the
    database scan every case the actor might see on every case-scoped request. The court
    and the case type load when first used: most case-scoped API calls never use them, and
    joining them cost more than the lookup itself (docs/benchmarks.md, request path)."""
    # A fixed statement: every case-scoped request starts here, and the ORM spent twice as
    # long building and compiling this lookup as SQLite spent running it.
    case = _case(case_id) if 0 < case_id < 2**63 else None  # a bigger number would not bind
    if case is None or not policies.case_roles(actor, case):
        raise NotFound(_("没有找到该案件"))
    return case


def _case(case_id: int) -> Case | None:
    with connection.cursor() as cursor:
        cursor.execute(_CASE_SQL, [case_id])
        row = cursor.fetchone()
    return None if row is None else fixedsql.instance(Case, row)


_CASE_SQL = (
    f"SELECT {fixedsql.columns(Case, 'c')} FROM {Case._meta.db_table} c "  # noqa: S608
    "WHERE c.id = %s"
)

# --- Fixed statements for the API's hottest reads -------------------------------------------
# The ORM spent several times longer building and compiling these reads than the database
# spent running them (docs/benchmarks.md, request path). Each states the rule of the ORM
# read it replaces; tests/test_query_counts.py and the cases tests check that they answer
# exactly as the rule does.

# A case in a list: these columns, in this order (``cases.api`` shapes them).
SUMMARY_KEYS = (
    "id",
    "number",
    "title",
    "cause",
    "status",
    "filed_at",
    "accepted_at",
    "court_id",
    "court__code",
    "court__name",
    "case_type__code",
    "case_type__name",
)
_CASE = Case._meta.db_table
_PARTICIPANT = CaseParticipant._meta.db_table
_COURT = Case._meta.get_field("court").related_model._meta.db_table
_SUMMARY_SQL = (
    "SELECT c.id, c.number, c.title, c.cause, c.status, c.filed_at, c.accepted_at, "  # noqa: S608
    f"c.court_id, ct.code, ct.name, t.code, t.name FROM {_CASE} c "
    f"JOIN {_COURT} ct ON ct.id = c.court_id "
    f"JOIN {CaseType._meta.db_table} t ON t.id = c.case_type_id "
)


def case_page_for(actor: Actor, *, offset: int, limit: int) -> list[dict]:
    """A page of ``cases_for(actor)``, newest first (``-filed_at``, ``-pk``), as rows keyed by
    ``SUMMARY_KEYS``: one fixed statement.

    The cases are those of ``policies.visible_q``, each of its branches a union member the
    database answers from an index: the cases the actor filed; those where it is an active
    party or representative; those where it holds any active role while holding a role at
    the case's court (the panel); every case of a court where it holds a court-wide role.
    (``visible_q``'s OR across a join to the participants had the database scan the cases.)"""
    if actor.is_system or actor.user_id is None:
        rows = cases_for(actor).order_by("-filed_at", "-pk").values_list(*SUMMARY_KEYS)
        return [dict(zip(SUMMARY_KEYS, r, strict=True)) for r in rows[offset : offset + limit]]
    user = actor.user_id
    parts = [f"SELECT id FROM {_CASE} WHERE filed_by_id = %s"]  # noqa: S608
    params: list = [user]
    party_roles = sorted(str(r) for r in policies.PARTY_SIDE)
    parts.append(
        f"SELECT case_id FROM {_PARTICIPANT} WHERE user_id = %s AND active "  # noqa: S608
        f"AND role IN ({_marks(party_roles)})"
    )
    params += [user, *party_roles]
    staffed = sorted(actor.courts_with(r for _c, r in actor.held))
    if staffed:
        parts.append(
            f"SELECT p.case_id FROM {_PARTICIPANT} p JOIN {_CASE} pc ON pc.id = p.case_id "  # noqa: S608
            f"WHERE p.user_id = %s AND p.active AND pc.court_id IN ({_marks(staffed)})"
        )
        params += [user, *staffed]
    court_wide = sorted(actor.courts_with(policies.CASE_WIDE_ROLES))
    if court_wide:
        parts.append(f"SELECT id FROM {_CASE} WHERE court_id IN ({_marks(court_wide)})")  # noqa: S608
        params += court_wide
    sql = (
        f"{_SUMMARY_SQL}WHERE c.id IN ({' UNION '.join(parts)}) "
        "ORDER BY c.filed_at DESC, c.id DESC LIMIT %s OFFSET %s"
    )
    params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    to_datetime = _datetime_converter()
    rows = []
    for r in fetched:
        row = dict(zip(SUMMARY_KEYS, r, strict=True))
        row["filed_at"] = to_datetime(row["filed_at"])
        row["accepted_at"] = to_datetime(row["accepted_at"])
        rows.append(row)
    return rows


def case_refs(case: Case) -> tuple[str, str, str, str]:
    """(court code, court name, case type code, case type name) of a case already found."""
    with connection.cursor() as cursor:
        cursor.execute(_REFS_SQL, [case.court_id, case.case_type_id])
        row = cursor.fetchone()
    if row is None:  # both are required, protected foreign keys: this cannot happen
        raise NotFound(_("没有找到该案件"))
    return row


_REFS_SQL = (
    f"SELECT ct.code, ct.name, t.code, t.name FROM "  # noqa: S608 - table names; values bound
    f"{_COURT} ct, "
    f"{CaseType._meta.db_table} t WHERE ct.id = %s AND t.id = %s"
)


def people_of(case: Case) -> list[tuple[int, str, str, int | None, int | None]]:
    """The case's active participants as ``(id, name, role, represents_id, user_id)``, in
    the order of ``participants_of`` (by id): what the case's head shows of its people."""
    with connection.cursor() as cursor:
        cursor.execute(_PEOPLE_SQL, [case.pk])
        return cursor.fetchall()


_PEOPLE_SQL = (
    f"SELECT id, display_name, role, represents_id, user_id FROM {_PARTICIPANT} "  # noqa: S608
    "WHERE case_id = %s AND active ORDER BY id"
)


def role_label(role: str) -> str:
    """A case role's name in the request's language, as ``get_role_display`` gives it (the
    stored value itself for a role no longer declared); looked up once per language."""
    return _role_label(translation.get_language(), role)


@functools.lru_cache(maxsize=512)
def _role_label(language: str | None, role: str) -> str:
    with translation.override(language):
        return str(_ROLE_LABELS.get(role, role))


_ROLE_LABELS = dict(ParticipantRole.choices)


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _datetime_converter():
    """The database's datetime column values as aware datetimes, as the ORM converts them
    (SQLite hands back text; PostgreSQL's driver converts already)."""
    field = Case._meta.get_field("filed_at")
    col = field.get_col(_CASE)
    converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)

    def convert(value):
        for converter in converters:
            value = converter(value, col, connection)
        return value

    return convert


def roles_of(actor: Actor, case: Case) -> set[str]:
    """The actor's roles on this case (``policies.case_roles``), for the state machines."""
    return set(policies.case_roles(actor, case))


def consent_for(participant: CaseParticipant, stage: str) -> bool | None:
    """Whether the participant goes online at ``stage``: their latest statement for that
    stage, or None when they never said (在线诉讼规则第四条: no consent is implied)."""
    latest = (
        StageConsent.objects.filter(participant=participant, stage=stage)
        .order_by("-recorded_at", "-pk")
        .values_list("online", flat=True)
        .first()
    )
    return latest


def consent_history(participant: CaseParticipant, stage: str | None = None):
    """Every statement the participant made, oldest first (the history 第五条 needs)."""
    qs = StageConsent.objects.filter(participant=participant)
    if stage is not None:
        qs = qs.filter(stage=stage)
    return qs.order_by("recorded_at", "pk")


def case_type(code: str) -> CaseType:
    """An active 类型代字; a kind whose code an administrator retired cannot be filed."""
    found = CaseType.objects.filter(code=code, active=True).first()
    if found is None:
        raise NotFound(_("类型代字“%(code)s”未启用，请联系法院管理员") % {"code": code})
    return found


def participants_of(case: Case):
    """The case's active participants, parties first (for the case page)."""
    return (
        CaseParticipant.objects.filter(case=case, active=True)
        .select_related("user", "represents")
        .order_by("pk")
    )


@dataclass
class Viewer:
    """Who the actor is on this case: its court roles and the parties it acts for."""

    court_roles: set[str] = field(default_factory=set)
    parties: list[CaseParticipant] = field(default_factory=list)  # the parties acted for

    @property
    def court(self) -> bool:
        return bool(self.court_roles)

    @property
    def judge(self) -> bool:
        return "judge" in self.court_roles

    @property
    def party_ids(self) -> set[int]:
        return {p.pk for p in self.parties}


def viewer_of(actor: Actor, case: Case) -> Viewer:
    """Court roles are the actor's panel and court-wide roles on this case; parties are the
    actor's own party roles and the parties its agency covers."""
    viewer = Viewer()
    if actor.is_system:
        viewer.court_roles = {"system"}
        return viewer
    viewer.court_roles = set(policies.case_roles(actor, case) & policies.COURT_SIDE)
    viewer.parties = policies.represented_parties(actor, case)
    return viewer


def acting_as(actor: Actor, case: Case) -> Actor:
    """The actor bound to this case in its most senior role there (``policies.on_case``)."""
    return policies.on_case(actor, case)


# --- 分案: the panel's cases and the division head's board ------------------------------------

OPEN_STATUSES = ("accepted", "in_trial")
# 民诉法第一百五十二条: a case under ordinary procedure is decided within six months of its
# acceptance (extensions need the president's approval and are not recorded here yet).
TRIAL_LIMIT_MONTHS = 6


# 民诉法第一百六十四条: summary procedure, 3 months; 第一百六十八条: small claims, 2 months.
TRIAL_LIMIT_MONTHS_BY_PROCEDURE = {"summary": 3, "small_claims": 2}


def trial_limit_due(case: Case) -> dt.date | None:
    """The day the case's 审限 runs out under its procedure (ordinary when not yet decided), for
    an open case."""
    if case.status not in OPEN_STATUSES or case.accepted_at is None:
        return None
    start = timezone.localtime(case.accepted_at).date()
    months = TRIAL_LIMIT_MONTHS_BY_PROCEDURE.get(case.procedure, TRIAL_LIMIT_MONTHS)
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass
class PanelCase:
    case: Case
    roles: list[str]
    deadline: dt.date | None


def panel_cases_for(actor: Actor) -> list[PanelCase]:
    """ "我的案件" on the workbench: the cases the actor sits on as one of the court's people
    (judge, assistant, clerk, mediator) at a court where it still holds a role; open cases
    first, the nearest 审限 first among them, then the newest."""
    if actor.is_system or actor.user_id is None:
        return []
    courts = actor.courts_with(r for _c, r in actor.held)
    rows = (
        CaseParticipant.objects.filter(
            user_id=actor.user_id,
            active=True,
            role__in=policies.PANEL_ROLES,
            case__court_id__in=courts,
        )
        .select_related("case", "case__court")
        .order_by("case_id", "pk")
    )
    found: dict[int, PanelCase] = {}
    for p in rows:
        entry = found.setdefault(p.case_id, PanelCase(p.case, [], trial_limit_due(p.case)))
        entry.roles.append(role_label(p.role))
    far = dt.date.max
    return sorted(
        found.values(),
        key=lambda e: (
            e.case.status not in OPEN_STATUSES,
            e.deadline or far,
            -(e.case.accepted_at or e.case.filed_at).timestamp(),
        ),
    )


@dataclass
class BoardDivision:
    division: object
    judges: list[tuple[int, str]]
    rule: str = ""
    queue: list[Case] = field(default_factory=list)
    # (case, its judge's name, its judge's user id): the head may reassign or grant 回避.
    assigned: list[tuple[Case, str, int]] = field(default_factory=list)


def assignment_board(actor: Actor) -> list[BoardDivision]:
    """The 庭长's page: per division they head, its open cases waiting for a judge (oldest
    first) and those assigned (with their judge), and the division's judges to choose from."""
    divisions = court_selectors.headed_divisions(actor)
    if not divisions:
        raise NotFound(_("没有找到该页面"))
    names: dict[int, str] = {}
    board = {}
    for d in divisions:
        ids = court_selectors.division_staff(d, ParticipantRole.JUDGE)
        names.update(court_selectors.people_named(ids))
        rule = court_selectors.assignment_rule(d).kind
        board[d.pk] = BoardDivision(d, [(i, names[i]) for i in ids], rule)
    court_ids = {d.court_id for d in divisions}
    cases = list(
        Case.objects.filter(court_id__in=court_ids, status__in=OPEN_STATUSES)
        .select_related("case_type")
        .order_by("accepted_at", "pk")
    )
    judges = {
        case_id: (name, user_id)
        for case_id, name, user_id in CaseParticipant.objects.filter(
            case__in=cases, role=ParticipantRole.JUDGE, active=True
        ).values_list("case_id", "display_name", "user_id")
    }
    division_of: dict[tuple[int, str], object] = {}
    for case in cases:
        key = (case.court_id, case.case_type.code)
        if key not in division_of:
            division_of[key] = court_selectors.division_for(*key)
        entry = board.get(getattr(division_of[key], "pk", None))
        if entry is None:
            continue
        if case.pk in judges:
            entry.assigned.append((case, *judges[case.pk]))
        else:
            entry.queue.append(case)
    return list(board.values())
