"""Reads of cases, always scoped to the actor (ARCHITECTURE §4.4): what an actor may not see
is "not found", exactly as what does not exist."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from . import policies
from .models import (
    Case,
    CaseParticipant,
    CaseType,
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
    in_range = 0 < case_id < 2**63  # a bigger number is no key (and would not bind)
    case = next(iter(Case.objects.raw(_CASE_SQL, [case_id])), None) if in_range else None
    if case is None or not policies.case_roles(actor, case):
        raise NotFound(_("没有找到该案件"))
    return case


_CASE_SQL = f"SELECT * FROM {Case._meta.db_table} WHERE id = %s"  # noqa: S608 - value bound


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
