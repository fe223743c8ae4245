"""Reads of cases, always scoped to the actor (ARCHITECTURE §4.4): what an actor may not see
is "not found", exactly as what does not exist."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.courts import selectors as court_selectors
from microcourt.identity.roles import EXTERNAL_ROLES

from .models import (
    COURT_ROLES,
    PARTY_ROLES,
    REPRESENTATIVE_ROLES,
    Case,
    CaseParticipant,
    CaseType,
    StageConsent,
)


def cases_for(actor: Actor) -> QuerySet[Case]:
    """The cases the actor may see: the ones they filed or take part in, and their courts'
    cases."""
    qs = Case.objects.select_related("court", "case_type")
    if actor.is_system:
        return qs
    return qs.filter(
        Q(filed_by_id=actor.user_id)
        | Q(participants__user_id=actor.user_id, participants__active=True)
        | Q(court_id__in=court_selectors.docket_court_ids(actor.user_id))
    ).distinct()


def case_for(actor: Actor, case_id: int) -> Case:
    """One case the actor may see; ``NotFound`` for both "absent" and "not allowed"."""
    case = cases_for(actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("没有找到该案件"))
    return case


def roles_of(actor: Actor, case: Case) -> set[str]:
    """The actor's roles on this case: their active case roles, plus the organisational role
    they act in when they really hold it at the case's court, plus ``system``."""
    if actor.is_system:
        return {actor.role}
    roles = set(
        CaseParticipant.objects.filter(case=case, user_id=actor.user_id, active=True).values_list(
            "role", flat=True
        )
    )
    if actor.role not in EXTERNAL_ROLES and court_selectors.holds_role(
        actor.user_id, court_id=case.court_id, role=actor.role
    ):
        roles.add(actor.role)
    return roles


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
    """Court roles come from the case (a court participant) or the court (the staff role held
    there); parties are the actor's own party roles and the parties its agency covers."""
    viewer = Viewer()
    if actor.is_system:
        viewer.court_roles = {"system"}
        return viewer
    mine = CaseParticipant.objects.filter(case=case, user_id=actor.user_id, active=True)
    for p in mine.select_related("represents"):
        if p.role in COURT_ROLES:
            viewer.court_roles.add(p.role)
        elif p.role in PARTY_ROLES:
            viewer.parties.append(p)
        elif p.role in REPRESENTATIVE_ROLES and p.represents and p.represents.active:
            viewer.parties.append(p.represents)
    for role in COURT_ROLES:
        if court_selectors.holds_role(actor.user_id, court_id=case.court_id, role=role):
            viewer.court_roles.add(role)
    return viewer


COURT_ROLE_ORDER = ("judge", "judge_assistant", "clerk", "mediator")


def acting_as(user, case: Case, viewer: Viewer) -> Actor:
    """The actor a user acts as on this case: its highest court role there, or itself."""
    if viewer.court:
        role = next(r for r in COURT_ROLE_ORDER if r in viewer.court_roles)
        return Actor(user=user, role=role, court_id=case.court_id)
    return Actor.citizen(user)
