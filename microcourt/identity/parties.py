"""Actions for organisations, lawyers and authorisations (授权委托书).

A legal person acts through its legal representative's own verified account and the
employees that representative authorises; a lawyer's licence is reviewed by court staff
before the account acts as a lawyer; a party appoints an agent by an authorisation that
later issues attach to cases.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as uscc_number

from microcourt.assist import idcard
from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, InvalidInput, NotFound
from microcourt.notifications import actions as notifications

from . import selectors
from .events import LedgerEvent
from .models import Authorisation, LawyerProfile, Organisation, OrgMembership, User
from .verification import MAX_IMAGE_BYTES, _ledger, _staff

LICENCE_NUMBER_LENGTH = 17  # 律师执业证号: 17 digits


def _verified(user: User, field: str = "user") -> None:
    if not selectors.is_verified(user):
        raise Forbidden(_("请先完成实名认证"), code="verification_required")


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    compact = (value or "").strip().upper()
    try:
        return uscc_number.validate(compact)
    except Exception:
        raise InvalidInput(
            _("统一社会信用代码不正确"), fields={field: _("请核对18位统一社会信用代码")}
        ) from None


@transaction.atomic
def organisation_register(*, user: User, name: str, uscc: str, licence_image) -> Organisation:
    """The legal representative registers the organisation with the business licence.
    The licence is read by OCR; code, name and representative must agree with what was
    typed and with the representative's own verified name, or it goes to staff review."""
    _verified(user)
    code = validate_uscc(uscc)
    if not name.strip():
        raise InvalidInput(_("请填写单位名称"), fields={"name": _("请填写单位名称")})
    if Organisation.objects.filter(uscc=code).exists():
        raise InvalidInput(_("该单位已认证"), fields={"uscc": _("该统一社会信用代码已被认证")})
    data = uploads.read_limited(licence_image, field="licence_image", max_bytes=MAX_IMAGE_BYTES)
    mime = uploads.sniff(data, field="licence_image", allowed=uploads.IMAGES)
    read = idcard.read_business_licence(data)
    stored = uploads.store(data, mime=mime, prefix="identity/licences")
    representative = user.real_name.name
    problems = []
    if read.uscc and read.uscc != code:
        problems.append("code differs from the licence")
    if read.name and read.name != name.strip():
        problems.append("name differs from the licence")
    if read.legal_representative and read.legal_representative != representative:
        problems.append("the licence names another legal representative")
    if not read.uscc:
        problems.append("the licence could not be read")
    organisation = Organisation.objects.create(
        name=name.strip(),
        uscc=code,
        legal_representative_name=read.legal_representative or representative,
        address=read.address,
        licence=stored.__dict__,
        status=Organisation.Status.PENDING if problems else Organisation.Status.VERIFIED,
        reason="; ".join(problems),
    )
    OrgMembership.objects.create(
        organisation=organisation, user=user, role=OrgMembership.Role.LEGAL_REPRESENTATIVE
    )
    _ledger(
        LedgerEvent.ORGANISATION_REGISTERED,
        Actor.citizen(user),
        user,
        {"organisation_id": organisation.pk, "status": organisation.status},
    )
    return organisation


@transaction.atomic
def organisation_authorise_employee(
    *, organisation: Organisation, actor: Actor, employee: User
) -> OrgMembership:
    """Only the verified legal representative authorises employees, who must be verified."""
    is_representative = organisation.members.filter(
        user=actor.user, role=OrgMembership.Role.LEGAL_REPRESENTATIVE, active=True
    ).exists()
    if not is_representative or organisation.status != Organisation.Status.VERIFIED:
        raise Forbidden(_("只有已认证单位的法定代表人可以授权员工"))
    _verified(employee, "employee")
    membership, _created = OrgMembership.objects.update_or_create(
        organisation=organisation,
        user=employee,
        defaults={
            "role": OrgMembership.Role.AUTHORISED_EMPLOYEE,
            "authorised_by": actor.user,
            "active": True,
        },
    )
    _ledger(
        LedgerEvent.ORGANISATION_MEMBER_AUTHORISED,
        actor,
        employee,
        {"organisation_id": organisation.pk},
    )
    return membership


@transaction.atomic
def lawyer_apply(*, user: User, licence_number: str, law_firm: str, licence_photo) -> LawyerProfile:
    _verified(user)
    number = (licence_number or "").strip()
    fields = {}
    if not (number.isdigit() and len(number) == LICENCE_NUMBER_LENGTH):
        fields["licence_number"] = _("执业证号为17位数字")
    if not law_firm.strip():
        fields["law_firm"] = _("请填写律师事务所")
    if fields:
        raise InvalidInput(_("请核对执业信息"), fields=fields)
    existing = LawyerProfile.objects.filter(licence_number=number).exclude(user=user).exists()
    if existing:
        raise InvalidInput(
            _("该执业证号已被使用"), fields={"licence_number": _("执业证号已被使用")}
        )
    data = uploads.read_limited(licence_photo, field="licence_photo", max_bytes=MAX_IMAGE_BYTES)
    mime = uploads.sniff(data, field="licence_photo", allowed=uploads.DOCUMENTS)
    stored = uploads.store(data, mime=mime, prefix="identity/lawyers")
    profile, _created = LawyerProfile.objects.update_or_create(
        user=user,
        defaults={
            "licence_number": number,
            "law_firm": law_firm.strip(),
            "licence_photo": stored.__dict__,
            "status": LawyerProfile.Status.PENDING,
            "reason": "",
        },
    )
    _ledger(LedgerEvent.LAWYER_APPLIED, Actor.citizen(user), user, {"lawyer_id": profile.pk})
    return profile


@transaction.atomic
def lawyer_review(
    *, lawyer_id: int, actor: Actor, approve: bool, reason: str = ""
) -> LawyerProfile:
    _staff(actor)
    profile = (
        LawyerProfile.objects.select_for_update()
        .filter(pk=lawyer_id, status=LawyerProfile.Status.PENDING)
        .first()
    )
    if profile is None:
        raise NotFound(_("没有找到待审核的律师认证"))
    if not approve and not reason.strip():
        raise InvalidInput(_("驳回须说明理由"), fields={"reason": _("请填写驳回理由")})
    profile.status = LawyerProfile.Status.APPROVED if approve else LawyerProfile.Status.REJECTED
    profile.reason, profile.reviewed_by, profile.reviewed_at = (
        reason.strip(),
        actor.user,
        timezone.now(),
    )
    profile.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at", "updated_at"])
    _ledger(
        LedgerEvent.LAWYER_REVIEWED,
        actor,
        profile.user,
        {"lawyer_id": profile.pk, "approved": approve},
    )
    notifications.notify(
        recipient=profile.user,
        event="identity.lawyer_reviewed",
        title=str(_("律师认证已通过") if approve else _("律师认证未通过")),
        body=str(reason or _("法院工作人员已审核您的执业信息。")),
        url="/accounts/me/",
        idempotency_key=f"identity.lawyer_reviewed:{profile.pk}",
    )
    return profile


def is_lawyer(user: User) -> bool:
    profile = getattr(user, "lawyer", None)
    return profile is not None and profile.status == LawyerProfile.Status.APPROVED


@transaction.atomic
def authorisation_grant(
    *,
    principal: User,
    agent: User,
    scope: str,
    powers: list[str],
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    organisation: Organisation | None = None,
    case_id: int | None = None,
    document=None,
) -> Authorisation:
    """授权委托书 (民事诉讼法第六十二条): special authority must list each power."""
    _verified(principal, "principal")
    fields = {}
    if scope not in Authorisation.Scope.values:
        fields["scope"] = _("请选择一般授权或特别授权")
    unknown = set(powers) - set(Authorisation.SPECIAL_POWERS)
    if unknown:
        fields["powers"] = _("未知的授权事项：%(items)s") % {"items": "、".join(sorted(unknown))}
    if scope == Authorisation.Scope.SPECIAL and not powers:
        fields["powers"] = _("特别授权须逐项写明授权事项")
    if scope == Authorisation.Scope.GENERAL and powers:
        fields["powers"] = _("一般授权不包括特别授权事项")
    if valid_until is not None and valid_until < valid_from:
        fields["valid_until"] = _("截止日期不能早于生效日期")
    if agent.pk == principal.pk:
        fields["agent"] = _("不能委托本人")
    if (
        organisation is not None
        and not organisation.members.filter(
            user=principal, role=OrgMembership.Role.LEGAL_REPRESENTATIVE, active=True
        ).exists()
    ):
        fields["organisation"] = _("只有法定代表人可以代表单位委托")
    if fields:
        raise InvalidInput(_("授权委托信息有误"), fields=fields)
    stored = {}
    if document is not None:
        data = uploads.read_limited(document, field="document", max_bytes=MAX_IMAGE_BYTES)
        mime = uploads.sniff(data, field="document", allowed=uploads.DOCUMENTS)
        stored = uploads.store(data, mime=mime, prefix="identity/authorisations").__dict__
    authorisation = Authorisation.objects.create(
        principal=principal,
        principal_organisation=organisation,
        agent=agent,
        scope=scope,
        powers=sorted(powers),
        case_id=case_id,
        document=stored,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _ledger(
        LedgerEvent.AUTHORISATION_GRANTED,
        Actor.citizen(principal),
        principal,
        {"authorisation_id": authorisation.pk, "agent_user_id": agent.pk},
    )
    return authorisation


@transaction.atomic
def authorisation_attach_case(*, authorisation: Authorisation, case_id: int) -> Authorisation:
    """The case an authorisation was used to file (the court keeps the 授权委托书 with the
    case). One given for a single case stays with that case."""
    locked = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    if locked.case_id not in (None, case_id):
        raise InvalidInput(
            _("该授权委托书已用于其他案件"), fields={"authorisation": _("请使用本案的授权委托书")}
        )
    if locked.case_id is None:
        Authorisation.objects.filter(pk=locked.pk).update(case_id=case_id)
        locked.case_id = case_id
    return locked
