"""Reads of cases, always scoped to the actor (ARCHITECTURE §4.4): what an actor may not see
is "not found", exactly as what does not exist."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.courts import selectors as court_selectors
from microcourt.identity.roles import EXTERNAL_ROLES

from .models import Case, CaseParticipant, CaseType, StageConsent


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
