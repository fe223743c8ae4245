"""Writes to the case record. Each action is one transaction and writes its ledger entry
(ARCHITECTURE §4.2, §4.7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.core.money import parse_amount
from microcourt.courts.models import Court
from microcourt.identity.models import Organisation
from microcourt.ledger import actions as ledger

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
