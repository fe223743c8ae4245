"""Writes to the case record. Each action is one transaction and writes its ledger entry
(ARCHITECTURE §4.2, §4.7)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.core.money import parse_amount
from microcourt.courts import actions as court_actions
from microcourt.courts import assignment
from microcourt.courts import events as court_events
from microcourt.courts import policies as court_policies
from microcourt.courts import selectors as court_selectors
from microcourt.courts.models import AssignmentKind, Court
from microcourt.identity.models import Organisation
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from . import policies
from .case_numbers import case_number_assign
from .events import LedgerEvent
from .models import (
    COURT_ROLES,
    PARTY_ROLES,
    REPRESENTATIVE_ROLES,
    Case,
    CaseParticipant,
    CaseStatus,
    CaseType,
    ConsentSource,
    ParticipantRole,
    Stage,
    StageConsent,
)
from .states import CASE

FINAL = frozenset({CaseStatus.CLOSED, CaseStatus.WITHDRAWN})


def _text(value: Any, *, field: str, label, max_length: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise InvalidInput(
            _("请填写%(label)s") % {"label": label}, fields={field: _("此项不能为空")}
        )
    if len(text) > max_length:
        message = _("%(label)s不能超过%(max)s个字") % {"label": label, "max": max_length}
        raise InvalidInput(message, fields={field: message})
    return text


@transaction.atomic
def case_open(
    *,
    court: Court,
    case_type: CaseType,
    title: str,
    cause: str,
    actor: Actor,
    filed_at: dt.datetime | None = None,
    amount_claimed: Decimal | str | int | None = None,
    filed_by: Any = None,
) -> Case:
    """Record a case the court has received (收案), status "filed", without a 案号 yet: the
    filing year is fixed now, in China's time (案号规定第十条 counts serials per 收案年度).
    ``filed_by`` is the person who filed it (by default the actor)."""
    if not court.active:
        raise InvalidInput(_("该法院未启用"), fields={"court": _("该法院未启用")})
    if not case_type.active:
        raise InvalidInput(_("该案件类型未启用"), fields={"case_type": _("该案件类型未启用")})
    title = _text(title, field="title", label=_("案件名称"), max_length=200)
    cause = _text(cause, field="cause", label=_("案由"), max_length=100)
    amount = None
    if amount_claimed is not None:
        amount = parse_amount(amount_claimed, field="amount_claimed")
    filed_at = filed_at or timezone.now()
    if timezone.is_naive(filed_at):
        raise ValueError("filed_at must be an aware datetime")
    case = Case.objects.create(
        court=court,
        case_type=case_type,
        year=timezone.localtime(filed_at).year,
        title=title,
        cause=cause,
        status=CaseStatus.FILED,
        filed_by=filed_by if filed_by is not None else actor.user,
        filed_at=filed_at,
        amount_claimed=amount,
    )
    ledger.record(
        code=LedgerEvent.CASE_OPENED,
        actor=actor,
        case_id=case.pk,
        data={"court": court.code, "case_type": case_type.code, "year": case.year},
    )
    return case


@transaction.atomic
def case_accept(*, case: Case, actor: Actor, note: str = "") -> Case:
    """Accept (立案) a filed case and give it its 案号 in the same transaction
    (民诉法第一百二十六条; 《关于人民法院案件案号的若干规定》第三条、第九条、第十条).
    Of two officers accepting at once, one wins and the other gets a conflict."""
    policies.require_visible(actor, case)
    CASE.apply(case, "accept", actor=actor, note=note, updates={"accepted_at": timezone.now()})
    case_number_assign(case=case, actor=actor)
    return case


@transaction.atomic
def case_start_trial(*, case: Case, actor: Actor, note: str = "") -> Case:
    """Move an accepted case into trial (审理)."""
    policies.require_visible(actor, case)
    return CASE.apply(case, "start_trial", actor=actor, note=note)


@transaction.atomic
def case_close(*, case: Case, actor: Actor, note: str = "") -> Case:
    """Close (结案) an accepted or tried case."""
    policies.require_visible(actor, case)
    return CASE.apply(case, "close", actor=actor, note=note)


@transaction.atomic
def case_withdraw(*, case: Case, actor: Actor, note: str = "") -> Case:
    """End a case by withdrawal: ruled by the court, or deemed by the system when fees go
    unpaid (《诉讼费用交纳办法》第二十二条, 按撤诉处理)."""
    policies.require_visible(actor, case)
    return CASE.apply(case, "withdraw", actor=actor, note=note)


@transaction.atomic
def participant_add(
    *,
    case: Case,
    actor: Actor,
    role: str,
    display_name: str,
    user: Any = None,
    organisation: Organisation | None = None,
    represents: CaseParticipant | None = None,
) -> CaseParticipant:
    """Add a participant with a case role (ARCHITECTURE §4.4). Court staff add anyone; the
    person who filed may add parties and agents while the case is still only filed
    (在线诉讼规则第十一条: the complaint names them). Offline parties have no account."""
    policies.require_add_participant(actor, case, role=role, user=user)
    if case.status in FINAL:
        raise Conflict(_("案件已结束，不能再添加诉讼参与人"), code="case_final")
    if role not in ParticipantRole.values:
        raise InvalidInput(_("诉讼地位不正确"), fields={"role": _("请选择有效的诉讼地位")})
    display_name = _text(display_name, field="display_name", label=_("名称"), max_length=200)
    if role in COURT_ROLES and user is None:
        raise InvalidInput(
            _("办案人员必须关联用户账号"), fields={"user": _("请选择办案人员的账号")}
        )
    if role in REPRESENTATIVE_ROLES:
        if represents is None:
            raise InvalidInput(
                _("请选择被代理的当事人"), fields={"represents": _("请选择被代理的当事人")}
            )
        if (
            represents.case_id != case.pk
            or not represents.active
            or represents.role not in PARTY_ROLES
        ):
            raise InvalidInput(
                _("被代理人必须是本案的当事人"),
                fields={"represents": _("被代理人必须是本案的当事人")},
            )
    elif represents is not None:
        raise InvalidInput(
            _("只有代理人或法定代表人可以代理当事人"),
            fields={"represents": _("该诉讼地位不能代理他人")},
        )
    if (
        user is not None
        and CaseParticipant.objects.filter(
            case=case, user=user, role=role, represents=represents, active=True
        ).exists()
    ):
        raise Conflict(_("该人员已以此身份参加本案"), code="participant_exists")
    participant = CaseParticipant.objects.create(
        case=case,
        user=user,
        organisation=organisation,
        display_name=display_name,
        role=role,
        represents=represents,
    )
    ledger.record(
        code=LedgerEvent.PARTICIPANT_ADDED,
        actor=actor,
        case_id=case.pk,
        data={
            "participant": participant.pk,
            "role": role,
            "represents": represents.pk if represents else None,
            "has_account": user is not None,
        },
    )
    return participant


@transaction.atomic
def consent_record(
    *,
    participant: CaseParticipant,
    stage: str,
    online: bool,
    actor: Actor,
    source: str,
) -> StageConsent:
    """Record a party's consent (or refusal) to go online at one stage (在线诉讼规则第四条:
    per party, per stage; consent to one stage does not imply the others; 第五条: a change
    of mind is a new statement, the old ones stay). The party, their agent, or the court
    (recording a phone or written answer) may record it."""
    case = participant.case
    policies.require_visible(actor, case)
    if participant.role not in PARTY_ROLES:
        raise InvalidInput(
            _("只有当事人本人可以作出在线诉讼的同意"),
            fields={"participant": _("该诉讼参与人不是当事人")},
        )
    if not participant.active:
        raise InvalidInput(
            _("该当事人已不在本案中"), fields={"participant": _("该当事人已不在本案中")}
        )
    if stage not in Stage.values:
        raise InvalidInput(_("诉讼环节不正确"), fields={"stage": _("请选择有效的诉讼环节")})
    if source not in ConsentSource.values:
        raise InvalidInput(_("同意的来源不正确"), fields={"source": _("请选择有效的来源")})
    if not isinstance(online, bool):
        raise InvalidInput(_("请明确是否同意在线进行"), fields={"online": _("请选择同意或不同意")})
    if not policies.may_record_consent_for(actor, participant):
        raise Forbidden(_("您不能代他人作出在线诉讼的同意。"))
    consent = StageConsent.objects.create(
        participant=participant, stage=stage, online=online, source=source
    )
    ledger.record(
        code=LedgerEvent.CONSENT_RECORDED,
        actor=actor,
        case_id=case.pk,
        data={
            "participant": participant.pk,
            "stage": stage,
            "online": online,
            "source": source,
        },
    )
    return consent


@transaction.atomic
def participant_link_user(
    *, participant: CaseParticipant, user: Any, actor: Actor
) -> CaseParticipant:
    """Attach an account to a party named without one (在线诉讼规则第十条: a defendant who
    verified their identity links to the case). The caller has proven who ``user`` is."""
    participant = CaseParticipant.objects.select_for_update().get(pk=participant.pk)
    if participant.user_id is not None:
        if participant.user_id == getattr(user, "pk", None):
            return participant
        raise Conflict(_("该当事人已关联其他账号"), code="participant_linked")
    if not participant.active or participant.role not in PARTY_ROLES:
        raise InvalidInput(
            _("只能关联本案的当事人"), fields={"participant": _("该诉讼参与人不是当事人")}
        )
    if participant.case.status in FINAL:
        raise Conflict(_("案件已结束"), code="case_final")
    CaseParticipant.objects.filter(pk=participant.pk).update(user=user, updated_at=timezone.now())
    participant.user = user
    ledger.record(
        code=LedgerEvent.PARTICIPANT_LINKED,
        actor=actor,
        case_id=participant.case_id,
        data={"participant": participant.pk, "user": user.pk},
    )
    return participant


# --- 分案 (case assignment) -------------------------------------------------------------------

OPEN = (CaseStatus.ACCEPTED, CaseStatus.IN_TRIAL)
R = ParticipantRole
# The judge's team on a case, from the judge's division: the assistant and the clerk.
TEAM_ROLES = (R.JUDGE_ASSISTANT, R.CLERK)
ASSIGNED_PANEL = (R.JUDGE, *TEAM_ROLES)


def _open_load(user_ids, role: str) -> dict[int, int]:
    """Open cases (accepted or in trial) each person sits on in ``role``."""
    rows = (
        CaseParticipant.objects.filter(
            user_id__in=list(user_ids), role=role, active=True, case__status__in=OPEN
        )
        .order_by()
        .values("user_id")
        .annotate(n=Count("case_id", distinct=True))
    )
    return {r["user_id"]: r["n"] for r in rows}


def _conflicted(case: Case) -> set[int]:
    """Who may not sit on the case: its parties and their representatives (and whoever filed
    it), and the people of the court a granted 回避 keeps off it."""
    users = set(
        CaseParticipant.objects.filter(
            case=case, active=True, role__in=policies.PARTY_SIDE, user__isnull=False
        ).values_list("user_id", flat=True)
    )
    if case.filed_by_id is not None:
        users.add(case.filed_by_id)
    return users | court_selectors.recused_on(case.pk)


def division_of(case: Case):
    """The division that tries the case (by its type; the civil division otherwise)."""
    code = CaseType.objects.filter(pk=case.case_type_id).values_list("code", flat=True).first()
    return court_selectors.division_for(case.court_id, code or "")


def _seat(case: Case, *, user_id: int, role: str, actor: Actor) -> CaseParticipant:
    user = get_user_model().objects.get(pk=user_id)
    participant = participant_add(
        case=case,
        actor=actor,
        role=role,
        user=user,
        display_name=getattr(user, "display_name", "") or user.username,
    )
    notifications.notify(
        recipient=user,
        event=court_events.CASE_ASSIGNED,
        url=reverse("filing:case", args=[case.pk]),
        params={"number": case.number or str(case.pk), "title": case.title},
        idempotency_key=f"{court_events.CASE_ASSIGNED}:{participant.pk}",
    )
    return participant


def _seat_panel(case: Case, *, division, judge_id: int, actor: Actor) -> dict[str, int | None]:
    """The judge, then from the judge's division the assistant and the clerk who have the
    fewest open cases (none when the division has nobody eligible in that role)."""
    excluded = _conflicted(case)
    seated: dict[str, int | None] = {
        R.JUDGE: _seat(case, user_id=judge_id, role=R.JUDGE, actor=actor).user_id
    }
    for role in TEAM_ROLES:
        people = [u for u in court_selectors.division_staff(division, role) if u not in excluded]
        load = _open_load(people, role)
        chosen = min(people, key=lambda u: (load.get(u, 0), u)) if people else None
        seated[role] = None
        if chosen is not None:
            seated[role] = _seat(case, user_id=chosen, role=role, actor=actor).user_id
    return seated


def _current_panel(case: Case) -> list[CaseParticipant]:
    return list(
        CaseParticipant.objects.select_for_update().filter(
            case=case, active=True, role__in=ASSIGNED_PANEL
        )
    )


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_assign(*, case: Case, actor: Actor, rng: random.Random | None = None) -> int | None:
    """分案 on acceptance, by the rule of the division that tries the case
    (``courts.selectors.division_for``; 《最高人民法院关于进一步全面落实司法责任制的实施意见》:
    random assignment as the rule, the division head's assignment the exception): weighted
    random among the division's judges by open caseload, rotation, or left in the 庭长's queue.
    Never a party, a party's representative or a judge with a granted 回避. With nobody
    eligible, or a manual rule, the case waits in the head's queue (and the heads are told).
    Returns the judge's user id, or None when queued. Already assigned: nothing changes."""
    case = _locked_case(case)
    current = [p for p in _current_panel(case) if p.role == R.JUDGE]
    if current:
        return current[0].user_id
    if case.status not in OPEN:
        raise Conflict(_("只有已受理、未结的案件可以分案"), code="case_not_open")
    division = division_of(case)
    rule = court_selectors.assignment_rule(division) if division is not None else None
    excluded = _conflicted(case)
    judges = []
    if division is not None:
        judges = [u for u in court_selectors.division_staff(division, R.JUDGE) if u not in excluded]
    chosen = None
    load: dict[int, int] = {}
    if rule is not None:
        load = _open_load(judges, R.JUDGE)
        last = (
            court_actions.rotation_pointer(division)
            if rule.kind == AssignmentKind.ROTATION
            else None
        )
        chosen = assignment.choose(rule.kind, judges, load=load, last=last, rng=rng)
    if chosen is None:
        why = (
            "no_division"
            if division is None
            else "manual"
            if rule is not None and rule.kind == AssignmentKind.MANUAL
            else "no_eligible_judge"
        )
        ledger.record(
            code=court_events.LedgerEvent.CASE_QUEUED,
            actor=actor,
            case_id=case.pk,
            data={"division": division.pk if division else None, "why": why},
        )
        _tell_heads(case, division)
        return None
    if rule.kind == AssignmentKind.ROTATION:
        court_actions.rotation_advance(division=division, judge_id=chosen)
    seated = _seat_panel(case, division=division, judge_id=chosen, actor=actor)
    ledger.record(
        code=court_events.LedgerEvent.CASE_ASSIGNED,
        actor=actor,
        case_id=case.pk,
        data={
            "division": division.pk,
            "rule": rule.kind,
            "panel": {str(k): v for k, v in seated.items()},
            "open_cases": {str(u): load.get(u, 0) for u in judges},
            "excluded": sorted(excluded),
        },
    )
    return chosen


def _tell_heads(case: Case, division) -> None:
    """The case waits: its division's heads (or the court's, when it has no division) are
    told in-app, with a link to their board."""
    division_id = division.pk if division is not None else None
    for head in court_selectors.division_heads(court_id=case.court_id, division_id=division_id):
        notifications.notify(
            recipient=head,
            event=court_events.CASE_QUEUED,
            url=reverse("workbench_assignment"),
            params={"number": case.number or str(case.pk), "title": case.title},
            idempotency_key=f"{court_events.CASE_QUEUED}:{case.pk}:{head.pk}",
        )


@transaction.atomic
def case_assign_by_head(*, case: Case, judge: Any, actor: Actor, reason: str = "") -> Case:
    """The division head assigns a case from the queue, or reassigns one (变更承办法官, with
    the reason recorded): the judge must be an active judge of the case's division, not a
    party or representative on it, and without a granted 回避. The old panel leaves the case
    and the new judge's team takes its place. Each is a ledger entry; the new panel is told."""
    division = division_of(case)
    bound = court_policies.require_division_head(
        actor, case.court_id, division.pk if division else None
    )
    case = _locked_case(case)
    if case.status not in OPEN:
        raise Conflict(_("只有已受理、未结的案件可以分案"), code="case_not_open")
    judge_id = getattr(judge, "pk", None)
    eligible = court_selectors.division_staff(division, R.JUDGE) if division else []
    if judge_id is None or judge_id not in eligible:
        raise InvalidInput(
            _("请选择本庭在岗的法官"), fields={"judge": _("该人员不是本庭在岗的法官")}
        )
    if judge_id in _conflicted(case):
        raise InvalidInput(
            _("该法官不能承办本案"),
            fields={"judge": _("该法官是本案当事人或其代理人，或已决定回避")},
        )
    panel = _current_panel(case)
    previous = next((p.user_id for p in panel if p.role == R.JUDGE), None)
    if previous == judge_id:
        raise InvalidInput(_("该法官已是本案的承办法官"), fields={"judge": _("请选择另一位法官")})
    reason = str(reason or "").strip()
    if previous is not None and not reason:
        raise InvalidInput(
            _("变更承办法官须说明理由"), fields={"reason": _("请填写变更承办法官的理由")}
        )
    if len(reason) > 500:
        raise InvalidInput(_("理由太长"), fields={"reason": _("不能超过500个字")})
    CaseParticipant.objects.filter(pk__in=[p.pk for p in panel]).update(
        active=False, updated_at=timezone.now()
    )
    seated = _seat_panel(case, division=division, judge_id=judge_id, actor=bound)
    ledger.record(
        code=(
            court_events.LedgerEvent.CASE_REASSIGNED
            if previous is not None
            else court_events.LedgerEvent.CASE_ASSIGNED
        ),
        actor=bound,
        case_id=case.pk,
        data={
            "division": division.pk,
            "rule": AssignmentKind.MANUAL,
            "panel": {str(k): v for k, v in seated.items()},
            "previous": {p.role: p.user_id for p in panel},
            "reason": reason,
        },
    )
    return case


@transaction.atomic
def case_recuse(*, case: Case, user: Any, actor: Actor, reason: str) -> Case:
    """回避 granted by the division head (民诉法第四十七条): the person is recorded as recused
    (``courts.actions.recusal_grant``) and, when they sit on the panel, leaves it; a judge who
    leaves puts the case back to the rule (or the head's queue)."""
    division = division_of(case)
    court_actions.recusal_grant(
        court=case.court,
        case_id=case.pk,
        division_id=division.pk if division else None,
        user=user,
        reason=reason,
        actor=actor,
    )
    bound = court_policies.require_division_head(
        actor, case.court_id, division.pk if division else None
    )
    case = _locked_case(case)
    seats = [p for p in _current_panel(case) if p.user_id == user.pk]
    if not seats:
        return case
    judge_left = any(p.role == R.JUDGE for p in seats)
    leaving = _current_panel(case) if judge_left else seats
    CaseParticipant.objects.filter(pk__in=[p.pk for p in leaving]).update(
        active=False, updated_at=timezone.now()
    )
    if judge_left and case.status in OPEN:
        case_assign(case=case, actor=bound)
    return case


@transaction.atomic
def case_procedure_set(
    *,
    case: Case,
    procedure: str,
    actor: Actor,
    reason: str = "",
    parties_agree: bool = False,
    no_exclusion: bool = False,
) -> Case:
    """The case's judge decides its procedure: ordinary, summary (民事诉讼法第一百六十条) or
    small claims (第一百六十五条、第一百六十六条), or changes it as the law allows
    (第一百六十九条、第一百七十条; ``policies.procedure_refusal``). A change needs the reason
    (the ruling's grounds). Refused, naming ``procedure``, on a closed case or where the law
    does not allow it; nothing changes then."""
    policies.require_set_procedure(actor, case)
    given, case = case, _locked_case(case)
    reason = str(reason or "").strip()
    if len(reason) > 2000:
        raise InvalidInput(_("理由不超过2000字"), fields={"reason": _("理由不超过2000字")})
    if case.status in FINAL:
        message = _("案件已结案或撤回，不能再确定审理程序")
        raise Conflict(message, fields={"procedure": message})
    refused = policies.procedure_refusal(
        case, procedure, parties_agree=parties_agree is True, no_exclusion=no_exclusion is True
    )
    if refused:
        raise InvalidInput(refused["procedure"], fields=refused)
    before = case.procedure
    if before and not reason:
        message = _("变更审理程序须写明理由")
        raise InvalidInput(message, fields={"reason": message})
    case.procedure = procedure
    case.save(update_fields=["procedure", "updated_at"])
    given.procedure = procedure
    ledger.record(
        code=LedgerEvent.CASE_PROCEDURE_SET,
        actor=actor,
        case_id=case.pk,
        data={
            "procedure": procedure,
            "from": before,
            "reason": reason,
            "parties_agree": parties_agree is True,
            "no_exclusion": no_exclusion is True,
        },
    )
    return case
